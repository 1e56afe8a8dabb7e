#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: notify
short_description: Tell people what went wrong, through webhooks, Slack and PagerDuty
version_added: 0.2.0
description:
  - Sends one event to several destinations, each one of a generic JSON webhook, a Slack-compatible incoming
    webhook (text and blocks) or the PagerDuty Events API v2.
  - Every event has a key derived from what it is about, C(dns01/<source>/<subject>/<kind>), unless
    O(dedup_key) is given. PagerDuty uses it as the alert's dedup key, so repeated triggers update one alert
    and O(action=resolve) with the same O(source), O(subject) and O(kind) closes it.
  - The destinations are told side by side, each with its own retries (connection failures, time-outs,
    HTTP 5xx and 429, honouring Retry-After) with backoff. O(deadline) bounds the whole call, every destination
    and retry included. A destination that accepts the connection and then never answers, or answers a byte at
    a time, is reported as failed when it passes and does not take the others' time.
  - A destination that fails is reported in RV(sent) and does not hide the others' success. By default the module
    fails only when every destination failed.
  - URLs with tokens, routing keys and headers are secrets; they never appear in results or messages.
  - Roles and playbooks call this module; the other modules of the collection never send alerts on their own.
author:
  - portable.dns01 contributors (@portable-dns01)
attributes:
  check_mode:
    support: full
    description: Checks the destinations and reports what would be sent; sends nothing.
  diff_mode:
    support: none
    description: Nothing to show as a diff.
  idempotent:
    support: none
    description: Every run sends the event again; receivers deduplicate by RV(dedup_key).
options:
  destinations:
    description: Where to send the event. Each is sent to independently.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: A label for the results, unique in the list. Defaults to the type.
        type: str
      type:
        description:
          - V(webhook) POSTs the event as JSON; V(slack) POSTs C(text) and C(blocks) to an incoming-webhook URL
            (Slack, Mattermost, Rocket.Chat); V(pagerduty) sends to the Events API v2.
        type: str
        required: true
        choices: [pagerduty, slack, webhook]
      url:
        description:
          - The URL to POST to. Read from E(DNS01_NOTIFY_WEBHOOK_URL) (V(webhook)) or E(DNS01_NOTIFY_SLACK_URL)
            (V(slack)) when not set.
          - For V(pagerduty), the Events API endpoint; defaults to C(https://events.pagerduty.com/v2/enqueue).
        type: str
      routing_key:
        description:
          - The PagerDuty integration (routing) key. Read from E(DNS01_NOTIFY_PAGERDUTY_ROUTING_KEY) when not set.
        type: str
      headers:
        description: Extra HTTP headers for V(webhook), for example an C(Authorization) header. Secret.
        type: dict
      validate_certs:
        description: Verify the destination's TLS certificate.
        type: bool
        default: true
      ca_path:
        description: A CA bundle that verifies the destination's TLS certificate, instead of the system's.
        type: path
  action:
    description: V(trigger) opens or updates an alert; V(resolve) closes the alert of the same key.
    type: str
    choices: [trigger, resolve]
    default: trigger
  summary:
    description: The one line a person reads first, for example C(www renewal failed - HTTP 503 from primary).
    type: str
    required: true
  severity:
    description: How bad it is.
    type: str
    choices: [critical, error, warning, info]
    default: error
  source:
    description: What the event comes from, normally C({{ inventory_hostname }}).
    type: str
    required: true
  subject:
    description: What the event is about, for example the certificate's id.
    type: str
    required: true
  kind:
    description: What kind of event it is, for example C(renewal) or C(expiry). Part of the key.
    type: str
    required: true
  dedup_key:
    description: The key of the event, instead of C(dns01/<source>/<subject>/<kind>). At most 255 characters.
    type: str
  details:
    description: Facts for the person who acts, shown by each channel (PagerDuty C(custom_details)).
    type: dict
    default: {}
  timeout:
    description: Seconds one HTTP request may take as a whole, from connecting to the last byte of the answer.
    type: float
    default: 10.0
  deadline:
    description: Seconds the whole call may take, every destination, retry and wait included.
    type: float
    default: 60.0
  retries:
    description: How many times to retry a destination after a connection failure, time-out, HTTP 5xx or 429.
    type: int
    default: 3
  fail_when:
    description:
      - V(all_failed) fails the task when no destination took the event; V(any_failed) when one did not;
        V(never) reports failures in RV(sent) only.
    type: str
    choices: [all_failed, any_failed, never]
    default: all_failed
requirements:
  - requests
"""

EXAMPLES = r"""
- name: Page on a failed renewal, and post it to Slack
  portable.dns01.notify:
    destinations:
      - name: oncall
        type: pagerduty
        routing_key: "{{ vault_pagerduty_routing_key }}"
      - name: team
        type: slack
        url: "{{ vault_slack_webhook_url }}"
    summary: "www: renewal failed - HTTP 503 from primary"
    severity: error
    source: "{{ inventory_hostname }}"
    subject: www
    kind: renewal
    details:
      names: [www.example.com]
      attempts: ["primary: failed (HTTP 503)", "fallback: failed (REFUSED)"]
  delegate_to: localhost

- name: Close the alert once the certificate renewed
  portable.dns01.notify:
    destinations:
      - type: pagerduty   # routing key from DNS01_NOTIFY_PAGERDUTY_ROUTING_KEY
    action: resolve
    summary: "www: renewed"
    source: "{{ inventory_hostname }}"
    subject: www
    kind: renewal
  delegate_to: localhost
"""

RETURN = r"""
dedup_key:
  description: The event's key.
  returned: always
  type: str
  sample: dns01/web1.example.com/www/renewal
event_action:
  description: V(trigger) or V(resolve).
  returned: always
  type: str
  sample: trigger
sent:
  description: One entry per destination, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The destination's name.
      type: str
    type:
      description: The destination's type.
      type: str
    ok:
      description: Whether the destination took the event (in check mode, whether it would be sent).
      type: bool
    skipped:
      description: True in check mode, when nothing was sent.
      type: bool
    status:
      description: The HTTP status of the last answer; null when there was none.
      type: int
    attempts:
      description: How many requests were made.
      type: int
    error:
      description: Why the destination failed, without secrets; null when it did not.
      type: str
    elapsed:
      description: Seconds from the start of the call until the destination was done with (destinations are told side by side).
      type: float
  sample:
    - {name: oncall, type: pagerduty, ok: true, skipped: false, status: 202, attempts: 1, error: null, elapsed: 0.21}
    - {name: team, type: slack, ok: false, skipped: false, status: 500, attempts: 4,
       error: "HTTP 500 Internal Server Error: oops", elapsed: 7.5}
delivered:
  description: How many destinations took the event.
  returned: always
  type: int
  sample: 1
failed_destinations:
  description: How many destinations did not.
  returned: always
  type: int
  sample: 1
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.deps import REQUESTS_IMPORT_ERROR, requests
from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run
from ansible_collections.portable.dns01.plugins.module_utils._notify.action import notify_action, prepare
from ansible_collections.portable.dns01.plugins.module_utils._notify.argspec import notify_spec


def main() -> None:
    module = AnsibleModule(argument_spec=notify_spec(), supports_check_mode=True)
    require(module, "requests", REQUESTS_IMPORT_ERROR)

    def action() -> dict:
        channels = prepare(module.params, os.environ)
        # Secrets read from the environment are not options: register them too.
        for channel in channels:
            module.no_log_values.update(channel.destination.secrets())
        return notify_action(module.params, channels, module.check_mode, Clock(), requests.Session)

    run(module, action)


if __name__ == "__main__":
    main()
