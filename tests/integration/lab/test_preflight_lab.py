# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CAA and DNSSEC checks against the lab's PowerDNS: records added through its API for one test, removed after."""

from __future__ import annotations

import subprocess
import typing as t
import uuid

import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import PreflightError
from ansible_collections.portable.dns01.plugins.module_utils._dns.query import Transport
from ansible_collections.portable.dns01.plugins.module_utils._dns.resolver import Resolver
from ansible_collections.portable.dns01.plugins.module_utils._preflight.argspec import preflight_argument_spec
from ansible_collections.portable.dns01.plugins.module_utils._preflight.run import Preflight

pytestmark = pytest.mark.lab

PEBBLE = "pebble.letsencrypt.org"
ACCOUNT = "https://127.0.1.10:14000/my-account/1"


@pytest.fixture
def zone_records(lab_config: dict[str, str]) -> t.Iterator[t.Callable[[str, str, list[str]], str]]:
    """Set record sets in the PowerDNS zone through its API (not the proxy); all are deleted afterwards."""
    zone = lab_config["LAB_PDNS_ZONE"]
    url = f"{lab_config['LAB_PDNS_API_DIRECT_URL']}/api/v1/servers/localhost/zones/{zone}."
    headers = {"X-API-Key": lab_config["LAB_PDNS_API_KEY"]}
    made: list[tuple[str, str]] = []

    def patch(name: str, rtype: str, contents: list[str], change: str = "REPLACE") -> None:
        rrset = {"name": f"{name}.", "type": rtype, "ttl": 5, "changetype": change,
                 "records": [{"content": content, "disabled": False} for content in contents]}
        response = requests.patch(url, json={"rrsets": [rrset]}, headers=headers, timeout=10)
        assert response.status_code == 204, response.text

    def put(label: str, rtype: str, contents: list[str]) -> str:
        name = f"{label}.{zone}"
        patch(name, rtype, contents)
        made.append((name, rtype))
        return name

    yield put
    for name, rtype in made:
        patch(name, rtype, [], "DELETE")


def check(lab: dict[str, str], names: list[str], **params: t.Any) -> dict[str, t.Any]:
    values = {key: spec.get("default") for key, spec in preflight_argument_spec().items()}
    values.update(names=names, directory=lab["LAB_PEBBLE_DIRECTORY"], ca_identities=[PEBBLE],
                  bootstrap_resolvers=[lab["LAB_RESOLVER"]], **params)
    resolver = Resolver(Transport(), values["bootstrap_resolvers"], query_timeout=3.0)
    return Preflight(values, resolver).run()


def label() -> str:
    return f"caa{uuid.uuid4().hex[:8]}"


def test_a_name_below_an_allowing_caa_passes(lab_config, zone_records):
    base = zone_records(label(), "CAA", [f'0 issue "{PEBBLE}"'])
    result = check(lab_config, [f"www.{base}", base])
    assert [entry["caa"]["relevant_name"] for entry in result["names"]] == [base, base]
    assert all(entry["caa"]["allowed"] for entry in result["names"])


def test_every_refused_name_fails_at_once_with_its_caa_set(lab_config, zone_records):
    other = zone_records(label(), "CAA", ['0 issue "sectigo.com"'])
    methods = zone_records(label(), "CAA", [f'0 issue "{PEBBLE}; validationmethods=http-01"'])
    wild = zone_records(label(), "CAA", [f'0 issue "{PEBBLE}"', '0 issuewild ";"'])
    with pytest.raises(PreflightError) as failure:
        check(lab_config, [other, methods, wild, f"*.{wild}"])
    problems = failure.value.details["problems"]
    assert len(problems) == 3, problems
    assert f'CAA at {other}: 0 issue "sectigo.com"' in problems[0]
    assert "validationmethods=http-01 does not include dns-01" in problems[1]
    assert problems[2].startswith(f"*.{wild}: the CA may not issue")


def test_accounturi_must_be_our_account(lab_config, zone_records):
    base = zone_records(label(), "CAA", [f'0 issue "{PEBBLE}; accounturi={ACCOUNT}"'])
    assert check(lab_config, [base], account_uri=ACCOUNT)["names"][0]["caa"]["allowed"]
    with pytest.raises(PreflightError, match="accounturi is"):
        check(lab_config, [base], account_uri=ACCOUNT + "0")
    unknown = check(lab_config, [base])
    assert any("set account_uri" in note for note in unknown["notes"])


def test_a_cname_on_the_name_leads_to_the_caa_that_counts(lab_config, zone_records):
    target = zone_records(label(), "CAA", ['0 issue "sectigo.com"'])
    zone_records(label(), "CAA", [f'0 issue "{PEBBLE}"'])
    alias = zone_records(label(), "CNAME", [f"{target}."])
    with pytest.raises(PreflightError) as failure:
        check(lab_config, [alias])
    entry = failure.value.details["names"][0]["caa"]
    assert entry["cname_chain"] == [alias, target] and entry["relevant_name"] == target


def test_the_unsigned_lab_passes_with_a_note(lab_config):
    zone = lab_config["LAB_PDNS_ZONE"]
    result = check(lab_config, [zone], caa=False)
    dnssec = result["names"][0]["dnssec"]
    assert dnssec["status"] == "insecure" and dnssec["chain"][0] == {"zone": ".", "status": "insecure"}
    assert any(note.endswith("not signed (insecure): nothing to validate") for note in result["notes"])


@pytest.fixture
def signed_zones(lab_config: dict[str, str]) -> t.Iterator[t.Callable[..., str]]:
    """Zones signed by PowerDNS (pdnsutil secure-zone), made for one test and deleted after."""
    config = f"--config-dir={lab_config['LAB_STATE_DIR']}/pdns"
    made: list[str] = []

    def pdnsutil(*args: str) -> str:
        done = subprocess.run(["pdnsutil", config, *args], capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def make(zone: str, *records: tuple[str, str, str]) -> str:
        pdnsutil("create-zone", zone, "ns1.example.test")
        made.append(zone)
        for label_, rtype, content in records:
            pdnsutil("replace-rrset", zone, label_, rtype, "60", content)
        pdnsutil("secure-zone", zone)
        pdnsutil("rectify-zone", zone)
        # The SHA-256 DS, without pdnsutil's trailing comment.
        return next(line.split(";")[0].strip() for line in pdnsutil("export-zone-ds", zone).splitlines() if " 2 " in line)

    make.pdnsutil = pdnsutil  # type: ignore[attr-defined]
    yield make
    for zone in reversed(made):
        pdnsutil("delete-zone", zone)


def test_dnssec_of_the_zone_the_challenge_cname_leads_to(lab_config, zone_records, signed_zones):
    lab = lab_config
    parent = f"sec{uuid.uuid4().hex[:8]}.{lab['LAB_PDNS_ZONE']}"
    child = f"c.{parent}"
    child_ds = signed_zones(child)
    anchor = signed_zones(parent, ("c", "NS", "ns1.example.test."), ("c", "DS", child_ds.split(" DS ", 1)[1]))
    app = label()
    zone_records(f"_acme-challenge.{app}", "CNAME", [f"{app}.{child}."])
    name = f"{app}.{lab['LAB_PDNS_ZONE']}"

    good = check(lab, [name], caa=False, dnssec_trust_anchors=[anchor])["names"][0]["dnssec"]
    assert good["zone"] == child and good["status"] == "secure", good
    assert good["cname_chain"] == [f"_acme-challenge.{name}", f"{app}.{child}"]
    assert [step["zone"] for step in good["chain"]] == [parent, child]

    # A deliberately broken DS at the parent: every validating resolver would answer SERVFAIL.
    tag, algorithm, digest_type, digest = child_ds.split(" DS ", 1)[1].split()
    wrong = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    signed_zones.pdnsutil("replace-rrset", parent, "c", "DS", "60", f"{tag} {algorithm} {digest_type} {wrong}")
    signed_zones.pdnsutil("rectify-zone", parent)
    with pytest.raises(PreflightError) as failure:
        check(lab, [name], caa=False, dnssec_trust_anchors=[anchor])
    problem = failure.value.details["problems"][0]
    assert problem.startswith(f"{name}: DNSSEC of {child} is bogus")
    assert f"no DNSKEY of {child} matches the DS records in {parent}" in problem
