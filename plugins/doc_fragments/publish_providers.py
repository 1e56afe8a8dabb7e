# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import yaml


class ModuleDocFragment:
    """The C(providers) option, declared in module_utils/_publish/argspec.py."""

    DOCUMENTATION = r"""
options:
  providers:
    description:
      - The DNS providers that can publish the records, in order of preference.
      - With O(strategy=failover) the first provider that succeeds wins; with O(strategy=all) every provider is used.
      - A provider with O(providers[].zone) set is skipped for names outside that zone, so one list can hold the
        primary provider of a domain and the provider of the zone its challenge names are delegated to.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - A unique name for this provider, used in results, O(simulate_outage) and the circuit breaker.
        type: str
        required: true
      type:
        description:
          - The backend. Set the sub-option of the same name.
        type: str
        required: true
        choices: [lexicon, rfc2136, route53, acme_dns]
      zone:
        description:
          - The zone this provider writes. Names outside it are skipped as not applicable.
          - When not set, the zone is found by a SOA walk (C(lexicon)), asked of the server (C(rfc2136)) or
            matched against the hosted zones (C(route53)).
        type: str
      retries:
        description:
          - Retries of this provider after a transient failure. Overrides O(retries).
        type: int
      lexicon:
        description:
          - Any provider of dns-lexicon (for example C(powerdns), C(cloudflare), C(hetzner)).
        type: dict
        suboptions:
          provider:
            description:
              - The dns-lexicon provider name.
            type: str
            required: true
          options:
            description:
              - The provider's settings as dns-lexicon names them, without the C(--), dashes as underscores
                (for example C(auth_token), C(pdns_server)).
              - May hold tokens, so the whole dictionary is hidden from logs.
            type: dict
            default: {}
      rfc2136:
        description:
          - A DNS server that accepts dynamic updates (RFC 2136) signed with TSIG, sent over TCP.
        type: dict
        suboptions:
          server:
            description:
              - Primary server, by address or name.
            type: str
            required: true
          port:
            description:
              - Server port.
            type: int
            default: 53
          key_name:
            description:
              - TSIG key name. Without it, updates are sent unsigned.
            type: str
          key_secret:
            description:
              - TSIG secret, base64.
              - Falls back to the environment variable E(DNS01_TSIG_SECRET).
            type: str
          key_algorithm:
            description:
              - TSIG algorithm.
            type: str
            default: hmac-sha256
            choices: [hmac-sha256, hmac-sha384, hmac-sha512]
          timeout:
            description:
              - Seconds to wait for one answer; never more than what is left of O(timeout).
            type: float
            default: 10.0
      route53:
        description:
          - Amazon Route 53 through boto3.
        type: dict
        suboptions:
          zone_id:
            description:
              - Hosted zone ID. Mutually exclusive with O(providers[].route53.zone_name).
            type: str
          zone_name:
            description:
              - Hosted zone name. Without O(providers[].route53.zone_id) and this, the hosted zone whose name is the
                longest suffix of the record name is used.
            type: str
          private_zone:
            description:
              - Use private hosted zones instead of public ones.
            type: bool
            default: false
          region:
            description:
              - AWS region for the session.
              - Falls back to E(AWS_REGION), then E(AWS_DEFAULT_REGION).
            type: str
            aliases: [aws_region]
          endpoint_url:
            description:
              - Route 53 endpoint, for testing against a local double. boto3 also reads E(AWS_ENDPOINT_URL_ROUTE_53).
            type: str
            aliases: [aws_endpoint_url]
          sts_endpoint_url:
            description:
              - STS endpoint used to assume O(providers[].route53.role_arn).
            type: str
          access_key:
            description:
              - AWS access key ID. Without keys or O(providers[].route53.profile), the default credential chain of
                boto3 is used.
              - Falls back to E(AWS_ACCESS_KEY_ID), then E(AWS_ACCESS_KEY).
            type: str
            aliases: [aws_access_key_id, aws_access_key]
          secret_key:
            description:
              - AWS secret access key. Falls back to E(AWS_SECRET_ACCESS_KEY), then E(AWS_SECRET_KEY).
            type: str
            aliases: [aws_secret_access_key, aws_secret_key]
          session_token:
            description:
              - AWS session token. Falls back to E(AWS_SESSION_TOKEN), then E(AWS_SECURITY_TOKEN).
            type: str
            aliases: [aws_session_token]
          profile:
            description:
              - Named profile of the AWS shared credentials and config files. When set, it supplies the credentials
                and the access key options are not used.
              - Falls back to E(AWS_PROFILE), then E(AWS_DEFAULT_PROFILE).
            type: str
            aliases: [aws_profile]
          role_arn:
            description:
              - Assume this role with STS before calling Route 53.
            type: str
          external_id:
            description:
              - External ID required by the role's trust policy.
            type: str
          role_session_name:
            description:
              - Session name of the assumed role.
            type: str
            default: portable-dns01
          duration_seconds:
            description:
              - Lifetime of the assumed role's credentials.
            type: int
            default: 900
          wait_insync:
            description:
              - Wait until Route 53 reports the change as C(INSYNC), with botocore's C(resource_record_sets_changed)
                waiter polling GetChange every 10 seconds (closer when less than 40 seconds are left), giving up
                before O(timeout).
            type: bool
            default: true
      acme_dns:
        description:
          - An acme-dns account (one per domain). The record's CNAME must point at its subdomain; other names
            are skipped.
          - A subdomain holds the two newest values; there is no delete call, so O(state=absent) leaves them.
        type: dict
        suboptions:
          api_url:
            description:
              - Base URL of the acme-dns API.
            type: str
            required: true
          username:
            description:
              - Account user name (X-Api-User).
            type: str
            required: true
          password:
            description:
              - Account password (X-Api-Key).
            type: str
            required: true
          subdomain:
            description:
              - The account's subdomain.
            type: str
            required: true
          ca_bundle:
            description:
              - CA certificates to verify the API's TLS certificate.
            type: path
"""


def _one_provider(documentation: str) -> str:
    """The ``provider`` option of modules that write through one provider: an entry of ``providers`` as a dict.

    Built from the text above so the two never drift; validate-modules checks
    both against the argument specs built by ``_publish/argspec.py``.
    """
    entry = yaml.safe_load(documentation.replace("O(providers[].", "O(provider."))["options"]["providers"]
    suboptions = entry["suboptions"]
    suboptions["name"]["description"] = ["A name for this provider, used in results and messages."]
    suboptions["retries"]["description"] = ["Not used by this module; accepted so that an entry of a provider catalog"
                                            " can be passed as it is."]
    provider = {
        "description": ["The DNS provider that writes the record, in the form of one entry of the C(providers) option of"
                        " M(portable.dns01.dns_challenge_publish), so one provider catalog serves both modules."],
        "type": "dict",
        "required": True,
        "suboptions": suboptions,
    }
    return yaml.safe_dump({"options": {"provider": provider}}, sort_keys=False)


# Assigned outside the class body: ansible-test's yamllint reads only literal strings there.
ModuleDocFragment.PROVIDER = _one_provider(ModuleDocFragment.DOCUMENTATION)
