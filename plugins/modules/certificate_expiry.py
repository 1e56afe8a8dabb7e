#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: certificate_expiry
short_description: Watch installed and served certificates, and say which alerts are due
version_added: 0.2.0
description:
  - Reads each certificate file on the host and reports the days left, issuer, names and serial.
  - For each endpoint in a certificate's C(endpoints) (see O(certificates)), fetches the certificate it serves
    (with SNI, within O(timeout)) and compares its serial with the file's, so a deploy that never reloaded the
    service is caught. A stale served certificate's own expiry counts for the thresholds.
  - Compares the days left with O(thresholds). Each crossing is returned once as an event in RV(events),
    not on every run; an event that was delivered is recorded with O(acknowledge) in the state file at
    O(state_path). When a certificate with time left replaces one that crossed a threshold, a C(resolve)
    event closes the alert.
  - Expired, missing and unreadable certificates, and those at or below O(critical_days), are critical.
  - The module sends nothing itself; pass RV(events) to M(portable.dns01.notify).
author:
  - portable.dns01 contributors (@portable-dns01)
attributes:
  check_mode:
    support: full
    description: Looking never changes anything; O(acknowledge) reports what it would record without writing.
  diff_mode:
    support: none
    description: Nothing to show as a diff.
  idempotent:
    support: full
    description: Looking changes nothing; acknowledging the same events twice changes the state file once.
options:
  certificates:
    description:
      - The certificates to watch, in the form of C(dns01_renewal_certificates) entries; keys other than these
        are ignored.
      - C(cert_path) (required) is the installed certificate, PEM; the first certificate of the file is read.
      - C(id) is the certificate's label; it defaults to the first of C(names).
      - C(endpoints) lists TLS endpoints that should serve this certificate, as C(host:port) (port 443 when left
        out), C([v6]:port), or a dict with C(host), C(port) and C(server_name) (the SNI; it defaults to the host,
        or to the first of C(names) when the host is an IP address).
    type: list
    elements: dict
    default: []
  source:
    description:
      - The host the certificates belong to, normally C({{ inventory_hostname }}); part of every event key.
      - Required unless O(acknowledge) is given.
    type: str
  thresholds:
    description: Days left at which an alert is raised, each once.
    type: list
    elements: int
    default: [21, 14, 7, 2]
  critical_days:
    description: At or below this many days left a certificate is critical.
    type: int
    default: 2
  state_path:
    description:
      - JSON file of the alerts already sent (on the host the module runs on). Without it every run returns
        every crossing again.
    type: path
  timeout:
    description: Seconds to connect and finish the TLS handshake with each endpoint.
    type: float
    default: 5.0
  ari_directory:
    description:
      - An ACME directory URL, or a shorthand (V(letsencrypt), V(letsencrypt_staging), V(zerossl), V(google),
        V(google_staging)), whose renewal information (RFC 9773) gives each certificate's suggested renewal
        window, reported in RV(certificates[].ari). Without it no CA is asked.
      - A CA that offers no renewal information, or does not answer, is reported per certificate, never fatal.
    type: str
  ari_ca_path:
    description: A CA bundle that verifies the ACME server's TLS certificate, instead of the system's.
    type: path
  acknowledge:
    description:
      - Events of an earlier call (items of RV(events)) that were delivered. The module records them in
        O(state_path) and looks at no certificate.
    type: list
    elements: dict
requirements:
  - cryptography
  - requests (for O(ari_directory))
"""

EXAMPLES = r"""
- name: Look at the certificates of this host
  portable.dns01.certificate_expiry:
    certificates:
      - id: www
        names: [www.example.com]
        cert_path: /etc/ssl/www.crt
        endpoints: ["www.example.com:443", {host: 10.0.0.5, port: 8443, server_name: www.example.com}]
    source: "{{ inventory_hostname }}"
    state_path: /var/lib/portable-dns01/expiry-state.json
  register: expiry

- name: Tell people
  portable.dns01.notify:
    destinations: "{{ destinations }}"
    action: "{{ item.action }}"
    summary: "{{ item.summary }}"
    severity: "{{ item.severity }}"
    source: "{{ item.source }}"
    subject: "{{ item.subject }}"
    kind: "{{ item.kind }}"
    details: "{{ item.details }}"
  loop: "{{ expiry.events }}"
  register: told
  failed_when: false
  delegate_to: localhost

- name: Remember what was delivered
  portable.dns01.certificate_expiry:
    acknowledge: "{{ told.results | selectattr('delivered', 'defined') | selectattr('delivered', '>', 0)
                     | map(attribute='item') }}"
    state_path: /var/lib/portable-dns01/expiry-state.json
"""

RETURN = r"""
certificates:
  description: One entry per certificate.
  returned: when looking
  type: list
  elements: dict
  contains:
    id:
      description: The certificate's label.
      type: str
    status:
      description: V(ok), V(warning) (a threshold crossed), V(critical), V(expired), V(missing) or V(unreadable).
      type: str
    severity:
      description: V(ok), V(warning), V(error) (an endpoint serves another certificate or cannot be reached) or V(critical).
      type: str
    days_left:
      description: Days until the file's certificate expires; negative once expired; null when missing.
      type: float
    worst_days_left:
      description: The fewest days left of the file's and the served certificates.
      type: float
    level:
      description: The smallest threshold crossed, 0 when expired, null when none.
      type: int
    not_after:
      description: The file's certificate's expiry.
      type: str
    issuer:
      description: Its issuer (RFC 4514).
      type: str
    names:
      description: Its DNS names.
      type: list
      elements: str
    serial:
      description: Its serial number, hexadecimal.
      type: str
    endpoints:
      description: What each endpoint serves, with V(match), V(mismatch) or V(unreachable) in C(status).
      type: list
      elements: dict
    alerts:
      description: The events this run calls for, as C(<action> <kind>).
      type: list
      elements: str
    ari_id:
      description: The certificate's RFC 9773 identifier; null without an authority key identifier.
      type: str
    ari:
      description:
        - The CA's suggested renewal window, C(start) and C(end), and C(due) once it has opened; C(error) says why
          it is unknown.
      type: dict
      returned: when O(ari_directory) is set
  sample:
    - {id: www, status: warning, severity: warning, days_left: 12.5, worst_days_left: 12.5, level: 14,
       not_after: "2026-12-13T00:00:00+00:00", issuer: "CN=Pebble Intermediate CA", names: [www.example.com],
       serial: 3f2a, endpoints: [], alerts: [trigger expiry]}
events:
  description:
    - The alerts due, each ready for M(portable.dns01.notify) (action, severity, summary, source, subject, kind,
      details), with a C(record) for O(acknowledge).
  returned: when looking
  type: list
  elements: dict
  sample:
    - action: trigger
      severity: warning
      summary: "www on web1: certificate expires in 12.5 days - 14-day threshold"
      source: web1
      subject: www
      kind: expiry
      dedup_key: dns01/web1/www/expiry
      details: {days_left: 12.5, threshold: 14}
      record: {key: dns01/web1/www/expiry, open: true, level: 14, serial: 3f2a}
counts:
  description: How many certificates have each severity.
  returned: when looking
  type: dict
  sample: {ok: 3, warning: 1, error: 0, critical: 0}
critical:
  description: Whether any certificate is critical.
  returned: when looking
  type: bool
  sample: false
checked_at:
  description: When the certificates were looked at.
  returned: when looking
  type: str
  sample: "2026-11-30T21:00:00+00:00"
thresholds:
  description: The thresholds used, largest first.
  returned: when looking
  type: list
  elements: int
  sample: [30, 14, 7, 2]
critical_days:
  description: The critical threshold used.
  returned: when looking
  type: int
  sample: 2
open_alerts:
  description: The keys of the alerts open after O(acknowledge).
  returned: when acknowledging
  type: list
  elements: str
  sample: [dns01/web1/www/expiry]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._common.deps import REQUESTS_IMPORT_ERROR, requests
from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run
from ansible_collections.portable.dns01.plugins.module_utils._expiry.action import expiry_action
from ansible_collections.portable.dns01.plugins.module_utils._expiry.argspec import expiry_spec
from ansible_collections.portable.dns01.plugins.module_utils._expiry.certificate import CRYPTOGRAPHY_IMPORT_ERROR


def main() -> None:
    module = AnsibleModule(argument_spec=expiry_spec(), supports_check_mode=True)
    require(module, "cryptography", CRYPTOGRAPHY_IMPORT_ERROR)
    if not module.params["ari_directory"]:
        run(module, lambda: expiry_action(module.params, module.check_mode, Clock()))
        return
    require(module, "requests", REQUESTS_IMPORT_ERROR)
    with requests.Session() as session:
        run(module, lambda: expiry_action(module.params, module.check_mode, Clock(), session=session))


if __name__ == "__main__":
    main()
