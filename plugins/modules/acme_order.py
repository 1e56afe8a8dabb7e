#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: acme_order
short_description: Order certificates from an ACME CA with dns-01 challenges, in two steps
version_added: 0.1.0
description:
  - Step V(create) decides which certificates need a new order, places (or resumes) the orders and returns the
    dns-01 TXT records to publish, grouped by record name.
  - Step V(complete) answers the challenges, waits for validation, finalizes with a fresh CSR, downloads the
    certificate and installs the files atomically.
  - Publishing the TXT records between the two steps is left to other modules, such as
    M(portable.dns01.dns_challenge_publish) and M(portable.dns01.propagation_wait).
  - Many certificates are worked at once; each has its own result, and the module fails only after all were
    attempted if any of them failed.
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - portable.dns01.acme_account
  - portable.dns01.run_lock
attributes:
  check_mode:
    description: Reports per certificate whether an order would be placed or completed; nothing is ordered, answered or written.
    support: full
  diff_mode:
    description: No diff is returned; the result lists the files written and their backups.
    support: none
  idempotent:
    description:
      - Step V(create) places no order while the installed certificate covers exactly the names with the wanted key type
        and is not due for renewal.
      - Step V(complete) of an order whose certificate is already installed changes nothing.
    support: full
options:
  step:
    description:
      - V(create) places orders and returns the challenges; V(complete) finishes the orders given by C(order_url).
    type: str
    default: create
    choices: [create, complete]
  certificates:
    description:
      - The certificates to order or complete.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description:
          - A label for this certificate in the results. Defaults to the first name.
        type: str
      names:
        description:
          - The DNS names, first one becomes the subject. Wildcards (V(*.example.com)) and IDNs are allowed; IP addresses are not.
          - At most 100 names.
        type: list
        elements: str
        required: true
      cert_path:
        description:
          - Where the certificate (leaf only) is installed, and where an existing one is read from.
        type: path
        required: true
      key_path:
        description:
          - Where the private key is installed, always with mode V(0600).
        type: path
        required: true
      chain_path:
        description:
          - Where the intermediate certificates are installed.
        type: path
      fullchain_path:
        description:
          - Where the certificate followed by the intermediates is installed.
        type: path
      key_type:
        description:
          - The certificate's key type.
        type: str
        default: ec256
        choices: [ec256, ec384, rsa2048, rsa3072, rsa4096]
      reuse_key:
        description:
          - Keep the key at O(certificates[].key_path) when it has type O(certificates[].key_type), instead of a new key per certificate.
        type: bool
        default: false
      owner:
        description:
          - Owner (name or uid) of the installed files.
        type: str
      group:
        description:
          - Group (name or gid) of the installed files.
        type: str
      mode:
        description:
          - Mode of the certificate and chain files, as an octal string such as V('0644'). The key is always V(0600).
          - Defaults to V('0644').
          - When O(certificates[].owner), O(certificates[].group) or O(certificates[].mode) is set, installed files
            that differ from them are corrected at every run, also when no new certificate is needed (see
            RV(certificates[].attributes_changed)); when none is set, the attributes of existing files are left alone.
        type: raw
      order_url:
        description:
          - The order to resume (step V(create)) or to complete (step V(complete)), as returned by step V(create).
        type: str
      preferred_chain:
        description:
          - Install the chain, among those the CA offers, with a certificate issued by this common name.
          - The CA's default chain is installed when none matches.
        type: str
      profile:
        description:
          - The ACME profile to order with (for Let's Encrypt V(classic), V(tlsserver) or V(shortlived)), sent in the
            new order.
          - It must be one of the profiles in the directory's C(meta.profiles); otherwise the module fails before any
            order, naming the profiles the CA offers.
          - The profile is recorded beside the installed certificate (C(.<cert file name>.acme.json)); a certificate
            issued with another profile is ordered again, as for a change of names or key type.
          - Unset, the CA's default profile is used and the profile of the installed certificate is not checked.
        type: str
      account:
        description:
          - The ACME account that orders this certificate, instead of the module's own account options.
          - Certificates with the same directory and account key share one account (one client, one registration);
            each certificate still succeeds or fails on its own.
          - O(terms_agreed), O(ca_bundle), O(validate_certs) and O(request_timeout) apply to every account.
            O(eab_kid) and O(eab_hmac_key) apply only to accounts at O(directory).
          - Checked before any request; an unreadable key or a bad directory fails naming this field.
          - When every certificate gives its own key, O(account_key_path) and O(account_key_content) may be left unset.
        type: dict
        suboptions:
          directory:
            description:
              - The ACME directory URL or shorthand (as O(directory)) of this certificate's CA.
              - Defaults to O(directory).
            type: str
          key_path:
            description:
              - Path to this account's private key (PEM); generated with mode V(0600) when it does not exist.
              - Mutually exclusive with O(certificates[].account.key_content). When neither is set, the module's
                account key (O(account_key_path) or O(account_key_content)) is used.
            type: path
          key_content:
            description:
              - This account's private key as PEM text.
            type: str
          key_type:
            description:
              - The type of the key generated when O(certificates[].account.key_path) does not exist.
              - Defaults to O(account_key_type).
            type: str
            choices: [ec256, ec384, rsa2048, rsa3072, rsa4096]
          email:
            description:
              - Contact e-mail address registered with a new account. Defaults to O(account_email).
              - Certificates sharing an account must not give it different addresses.
            type: str
  renew_before_days:
    description:
      - Order a new certificate at the latest when the installed one has fewer days left than this.
      - Each certificate renews at its own moment within the thirtieth of its lifetime before that point (3 days
        for a 90-day certificate), derived from its serial number, so certificates issued together are not all
        renewed in the same run, and every run agrees on the moment.
      - When the CA publishes renewal information (ARI, RFC 9773), its suggested window decides instead; the moment
        is chosen within that window the same way, as RFC 9773 recommends. The CA's answer is reused until its
        C(Retry-After) has passed (6 hours when it sends none, between 1 minute and 1 day), cached in
        C(.<cert file name>.ari.json) beside the certificate.
    type: int
    default: 30
  force:
    description:
      - Order new certificates even when the installed ones are fine.
    type: bool
    default: false
  deactivate_on_failure:
    description:
      - When validation fails, deactivate the order's pending authorizations so they are not handed out again.
    type: bool
    default: true
  concurrency:
    description:
      - How many certificates are worked at the same time.
    type: int
    default: 8
  validation_timeout:
    description:
      - Seconds to wait for the CA to validate the challenges, and again for it to issue.
      - The requests of these waits, and their retries, end within it, even when the CA stops answering; each waits at
        most O(request_timeout) or the time left, whichever is shorter.
    type: int
    default: 180
  keep_backups:
    description:
      - How many backups of each replaced file (certificate, key, chain, full chain) are kept, the newest ones.
      - Backups are written as new files with mode V(0600); older ones are removed after each install.
      - V(0) keeps none once an install has succeeded.
    type: int
    default: 2
notes:
  - Checked against Pebble 2.4 in the local lab (orders, key reuse, chains, install and crash recovery); Pebble 2.4
    has neither profiles nor renewal information, so O(certificates[].profile) fails there with the message that the
    CA offers none, and renewals use O(renew_before_days).
  - Profiles and ARI (renewal window, C(Retry-After), C(explanationURL), C(replaces) and its refusals) are checked
    with recorded exchanges shaped like Let's Encrypt's, not against a live Let's Encrypt server.
  - badNonce answers are retried up to 10 times per request; server errors and connection failures are retried with
    backoff; a rate limit fails the certificate at once with the server's C(Retry-After) in RV(certificates[].retry_after).
  - Replaced files are kept next to the new ones as C(<path>.<UTC timestamp>.bak), the newest O(keep_backups) of them.
  - The files of one certificate are installed as a set. Before the first file is replaced, an intent manifest
    C(.<cert file name>.install.json) is written beside O(certificates[].cert_path). If the run dies while replacing
    files, the next run of this module for that certificate, before contacting the CA, finishes the set when every new
    file is complete, or puts the previous files back from their backups; so the certificate always sits beside its
    own key. RV(certificates[].recovered) tells what was repaired.
seealso:
  - module: portable.dns01.dns_challenge_publish
  - module: portable.dns01.propagation_wait
"""

EXAMPLES = r"""
- name: Place the orders and learn which TXT records to publish
  portable.dns01.acme_order:
    directory: letsencrypt
    account_key_path: /etc/ssl/acme/account.key
    account_email: hostmaster@example.com
    terms_agreed: true
    certificates: "{{ web_certificates }}"
  vars:
    web_certificates:
      - id: web
        names: [example.com, "*.example.com"]
        cert_path: /etc/ssl/web/cert.pem
        key_path: /etc/ssl/web/key.pem
        fullchain_path: /etc/ssl/web/fullchain.pem
  register: order

- name: Publish the records
  portable.dns01.dns_challenge_publish:
    records: "{{ order.records }}"
  when: order.records | length > 0

- name: Order two certificates under two accounts in one call
  portable.dns01.acme_order:
    directory: letsencrypt
    account_key_path: /etc/ssl/acme/account.key
    terms_agreed: true
    certificates:
      - names: [shop.example.com]
        cert_path: /etc/ssl/shop/cert.pem
        key_path: /etc/ssl/shop/key.pem
      - names: [customer.example.net]
        cert_path: /etc/ssl/customer/cert.pem
        key_path: /etc/ssl/customer/key.pem
        account:
          key_path: /etc/ssl/acme/customer-account.key
          email: hostmaster@example.net
  register: both

# Results come back in the order given, so zip pairs each certificate with its order.
- name: Carry each order URL over to its certificate
  ansible.builtin.set_fact:
    to_complete: "{{ (to_complete | default([])) + [item.0 | combine({'order_url': item.1.order_url})] }}"
  loop: "{{ web_certificates | zip(order.certificates) | list }}"
  when: item.1.order_url

- name: Answer the challenges and install the certificates
  portable.dns01.acme_order:
    step: complete
    directory: letsencrypt
    account_key_path: /etc/ssl/acme/account.key
    certificates: "{{ to_complete }}"
  when: to_complete is defined
"""

RETURN = r"""
directory:
  description: The directory URL used.
  returned: always
  type: str
step:
  description: The step that ran.
  returned: always
  type: str
account_url:
  description:
    - The URL of the account of the module's own options; null in check mode when the account does not exist yet,
      and when every certificate gives its own O(certificates[].account).
    - RV(certificates[].account_url) gives each certificate's account.
  returned: always
  type: str
account_key_created:
  description: Whether the account key was generated by this run.
  returned: always
  type: bool
records:
  description:
    - Every TXT record the certificates' pending challenges need, merged across certificates, ready for
      M(portable.dns01.dns_challenge_publish) and M(portable.dns01.propagation_wait).
    - After step V(complete), the same records, to clean up.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The record name, C(_acme-challenge.<name without *.>), without a trailing dot.
      type: str
    values:
      description: All the TXT values that must be served at that name at once (apex and wildcard share one record).
      type: list
      elements: str
  sample: [{"name": "_acme-challenge.example.com", "values": ["LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ", "SVvBlH1f4jGbLkAS6-0rtlY8zXrFtOQGUKUUsYp9IKE"]}]
certificates:
  description: One result per certificate, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The certificate's label.
      type: str
    names:
      description: The names in A-label form.
      type: list
      elements: str
    changed:
      description: Whether an order was placed, or files were written.
      type: bool
    failed:
      description: Whether this certificate failed.
      type: bool
    msg:
      description: What went wrong, when it failed.
      type: str
    problem:
      description: The ACME problem document (type, detail, subproblems per identifier) when the CA refused.
      type: dict
    retry_after:
      description: Seconds the CA asked to wait, after a rate limit.
      type: float
      returned: when rate limited
    recovered:
      description:
        - What was repaired of an install a crash interrupted, before anything else was done for this certificate.
        - V(finished) (the new set was complete and was put in place), V(rolled back) (the previous files were restored),
          V(pending) (check mode, a repair is due), or null when there was nothing to repair.
      type: str
      returned: always
    account_url:
      description: The URL of the account that ordered this certificate; null when it is not known (check mode, or a failure before registering).
      type: str
      returned: always
    needs_order:
      description: Step V(create) only. Whether a new certificate is needed.
      type: bool
      returned: step=create
    reason:
      description: Why a certificate is or is not ordered.
      type: str
    order_url:
      description: The order's URL, to pass to step V(complete).
      type: str
    order_status:
      description: The order's status as last seen.
      type: str
    abandoned_order:
      description:
        - The O(certificates[].order_url) given, when the CA had abandoned it (invalid without a failed validation,
          expired, or gone) and one new order was placed instead, returned in RV(certificates[].order_url).
        - In step V(complete) the new order is carried through when its authorizations are already valid; otherwise
          the certificate fails with the new order's records to publish and a message saying so.
      type: str
      returned: always
    replaces:
      description:
        - The ARI identifier of the certificate the new order replaces.
        - Sent only when the CA offers ARI and the installed certificate was ordered by this account (as recorded
          beside it); null when the CA refused it and the order was placed without it.
      type: str
      returned: when an order is placed
    renewal_info:
      description: The CA's renewal information (ARI) for the installed certificate, when the CA offers it.
      type: dict
      returned: step=create
      contains:
        window:
          description: The suggested window, C(start) and C(end) in ISO 8601; null when the CA's answer had none.
          type: dict
        explanation_url:
          description: The page where the CA explains the window, when it gave one (for instance after an incident).
          type: str
        next_poll:
          description: When the renewal information is fetched again at the earliest.
          type: str
        renew_at:
          description: The moment in the window chosen for this certificate.
          type: str
    authorizations:
      description: The order's authorizations.
      type: list
      elements: dict
      contains:
        identifier:
          description: The name, with C(*.) for a wildcard.
          type: str
        url:
          description: The authorization's URL.
          type: str
        status:
          description: Its status (V(pending), V(valid), ...).
          type: str
        record:
          description: The TXT record name.
          type: str
        value:
          description: The TXT value; null when the authorization is not pending.
          type: str
    challenges:
      description: 'The pending challenges grouped by record name: C({record name: [values]}).'
      type: dict
    records:
      description: The same as RV(certificates[].challenges), as a list of C(name) and C(values).
      type: list
      elements: dict
    valid_identifiers:
      description: The names whose authorization is already valid and need no TXT record.
      type: list
      elements: str
    certificate:
      description: The installed certificate (step V(create)) or the new one (step V(complete)).
      type: dict
      contains:
        names:
          description: Its DNS names.
          type: list
          elements: str
        not_before:
          description: ISO 8601 start of validity.
          type: str
        not_after:
          description: ISO 8601 end of validity.
          type: str
        serial:
          description: Serial number, hexadecimal.
          type: str
        issuer:
          description: Issuer distinguished name.
          type: str
        key_type:
          description: The key type.
          type: str
    attributes_changed:
      description: The installed files whose owner, group or mode was corrected (or would be, in check mode).
      type: list
      elements: str
      returned: always
    backup_files:
      description: 'The files replaced: C({path: backup path}).'
      type: dict
      returned: step=complete
    cert_path:
      description: The certificate path.
      type: str
    key_path:
      description: The key path.
      type: str
    chain_path:
      description: The chain path.
      type: str
    fullchain_path:
      description: The full chain path.
      type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import order_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._acme.module import ACCOUNT_MODULE_OPTIONS, run_acme
from ansible_collections.portable.dns01.plugins.module_utils._acme.run import run as run_order
from ansible_collections.portable.dns01.plugins.module_utils._lock.runlock import fence_for, run_lock_spec


def main() -> None:
    module = AnsibleModule(argument_spec={**order_argument_spec(), **run_lock_spec()}, **ACCOUNT_MODULE_OPTIONS)
    run_acme(module, lambda params, check_mode: run_order(params, check_mode, fence=fence_for(params.get("run_lock"))))


if __name__ == "__main__":
    main()
