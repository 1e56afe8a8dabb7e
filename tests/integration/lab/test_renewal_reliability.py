# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/renew.yml on the lab, on bad days: faults, dead zones, bad input, crashes, concurrent runs, -vvv.

Each test renews certificates of its own names in its own directory, with its own lock and
report, from the lab's inventory plus an inventory file of its own (short time-outs). The
"old" certificates are self-signed and about to expire, so every run has to order.
docs/reliability.md lists what each test proves.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import pathlib
import secrets
import shutil
import signal
import stat
import subprocess
import time
import typing as t
import uuid

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock
from ansible_collections.portable.dns01.plugins.module_utils._lock.file import FileLocks
from ansible_collections.portable.dns01.plugins.module_utils._lock.process import Process
from ansible_collections.portable.dns01.plugins.module_utils._lock.redis import RedisLocks
from ansible_collections.portable.dns01.tests.integration.lab.test_delegation_providers import delegate, pdns_api

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]
INVENTORY = ROOT / "tests/lab/state/inventory.yml"
FAULTS = {
    "refused": ("ProviderError", "refused"),
    "blackhole": ("ProviderTimeout", ""),
    "slow": ("ProviderTimeout", ""),
    "http500": ("ProviderError", "500"),
    "http429": ("ProviderError", "429"),
    "http401": ("ProviderAuthError", "401"),
}
# The slow fault answers after this many seconds, past the read time-out below.
SLOW_SECONDS = 4


@pytest.fixture(scope="module")
def lab(lab_config):
    return lab_config


@pytest.fixture(scope="module")
def acme_dns_account(lab) -> dict:
    """A registered acme-dns account, so the catalog holds its password like a real one would."""
    answer = requests.post(lab["LAB_ACMEDNS_URL"] + "/register", json={}, timeout=10)
    answer.raise_for_status()
    return answer.json()


@pytest.fixture(scope="module")
def account_dir(tmp_path_factory) -> pathlib.Path:
    """One ACME account for the module's runs."""
    return tmp_path_factory.mktemp("account")


@pytest.fixture
def fault(lab) -> t.Iterator[t.Callable[..., None]]:
    """Switch a lab fault; every fault is cleared after the test."""
    touched: set[str] = set()

    def switch(service: str, mode: str, *args: str) -> None:
        touched.add(service)
        subprocess.run([lab["LAB_SCRIPT"], "fault", service, mode, *args], check=True, capture_output=True, timeout=30)

    yield switch
    if touched:
        subprocess.run([lab["LAB_SCRIPT"], "fault", "all", "none"], check=True, capture_output=True, timeout=30)


def catalog(lab: dict, acme_dns: dict) -> list[dict]:
    """primary: the PowerDNS API (which the faults break); update: RFC 2136 on the same server; acmedns."""
    return [
        {"name": "primary", "type": "lexicon", "zone": lab["LAB_PDNS_ZONE"],
         "lexicon": {"provider": "powerdns", "options": {
             "auth_token": lab["LAB_PDNS_API_KEY"], "pdns_server": lab["LAB_PDNS_API_URL"], "pdns_server_id": "localhost"}}},
        {"name": "update", "type": "rfc2136", "zone": lab["LAB_PDNS_ZONE"],
         "rfc2136": {"server": lab["LAB_PDNS_DNS"], "key_name": lab["LAB_PDNS_TSIG_NAME"],
                     "key_secret": lab["LAB_PDNS_TSIG_SECRET"], "timeout": 2}},
        # The same server on a port where nothing answers: a provider that is down.
        {"name": "dead", "type": "rfc2136", "zone": lab["LAB_PDNS_ZONE"],
         "rfc2136": {"server": lab["LAB_PDNS_DNS"], "port": 5399, "key_name": lab["LAB_PDNS_TSIG_NAME"],
                     "key_secret": lab["LAB_PDNS_TSIG_SECRET"], "timeout": 1}},
        {"name": "fallback", "type": "rfc2136", "zone": lab["LAB_BIND_ZONE"],
         "rfc2136": {"server": lab["LAB_BIND_SERVER"], "key_name": lab["LAB_BIND_TSIG_NAME"],
                     "key_secret": lab["LAB_BIND_TSIG_SECRET"], "timeout": 2}},
        {"name": "acmedns", "type": "acme_dns",
         "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"], "username": acme_dns["username"],
                      "password": acme_dns["password"], "subdomain": acme_dns["subdomain"]}},
    ]


def old_certificate(directory: pathlib.Path, names: list[str]) -> dict[str, bytes]:
    """A self-signed certificate for ``names`` that expires in two days: due for renewal."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=60))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
            .sign(key, hashes.SHA256()))
    files = {"cert.pem": cert.public_bytes(serialization.Encoding.PEM),
             "key.pem": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())}
    for name, content in files.items():
        (directory / name).write_bytes(content)
        (directory / name).chmod(0o600)
    return files


class Renewal:
    """One test's renewal world: certificates, catalog, settings, and how to run a playbook on it."""

    def __init__(self, lab: dict, tmp_path: pathlib.Path, account: pathlib.Path, acme_dns: dict) -> None:
        self.lab, self.tmp = lab, tmp_path
        self.label = uuid.uuid4().hex[:8]
        self.certificates: list[dict] = []
        self.settings: dict[str, t.Any] = {
            "dns01_renewal_providers": catalog(lab, acme_dns),
            "dns01_renewal_directory": lab["LAB_PEBBLE_DIRECTORY"],
            "dns01_renewal_ca_bundle": lab["LAB_TLS_CA_BUNDLE"],
            "dns01_renewal_dry_run_directory": lab["LAB_PEBBLE_DIRECTORY"],
            "dns01_renewal_dry_run_ca_bundle": lab["LAB_TLS_CA_BUNDLE"],
            "dns01_renewal_account_key_path": str(account / "account.key"),
            "dns01_renewal_terms_agreed": True,
            "dns01_renewal_bootstrap_resolvers": [lab["LAB_RESOLVER"]],
            "dns01_renewal_check_resolvers": [lab["LAB_RESOLVER"]],
            "dns01_renewal_ttl": 5,
            "dns01_renewal_publish_timeout": 12,
            "dns01_renewal_publish_connect_timeout": 1,
            "dns01_renewal_publish_read_timeout": 2,
            "dns01_renewal_publish_retries": 0,
            "dns01_renewal_propagation_timeout": 20,
            "dns01_renewal_validation_timeout": 30,
            "dns01_renewal_lock_backend": "file",
            "dns01_renewal_lock_directory": str(tmp_path / "lock"),
            "dns01_renewal_lock_name": f"renewal-{self.label}",
            "dns01_renewal_lock_wait": 0,
            "dns01_renewal_report_path": str(tmp_path / "report.json"),
            # The breaker would carry one test's faults into the next.
            "dns01_renewal_breaker_state_file": str(tmp_path / "breaker.json"),
        }

    def certificate(self, name: str, providers: list[str], old: bool = True) -> dict:
        """A certificate of a fresh name in the test's zone; with ``old``, files about to expire are in place."""
        names = [f"{name}-{self.label}.{self.lab['LAB_PDNS_ZONE']}"]
        directory = self.tmp / "certs" / name
        definition = {"id": name, "names": names, "providers": providers,
                      "cert_path": str(directory / "cert.pem"), "key_path": str(directory / "key.pem")}
        if old:
            old_certificate(directory, names)
        self.certificates.append(definition)
        return definition

    def files(self) -> dict[str, bytes]:
        """Every file under the test's certificate directories."""
        base = self.tmp / "certs"
        return {str(path.relative_to(base)): path.read_bytes() for path in sorted(base.rglob("*")) if path.is_file()}

    def inventory(self, extra: dict | None = None) -> pathlib.Path:
        path = self.tmp / f"inventory-{uuid.uuid4().hex[:6]}.yml"
        variables = {**self.settings, "dns01_renewal_certificates": self.certificates, **(extra or {})}
        path.write_text(yaml.safe_dump({"lab": {"hosts": {"localhost": None}, "vars": variables}}))
        return path

    def command(self, playbook: str = "renew.yml", extra: dict | None = None, *args: str) -> list[str]:
        return ["ansible-playbook", "-i", str(INVENTORY), "-i", str(self.inventory(extra)),
                str(ROOT / "playbooks" / playbook), *args]

    def run(self, playbook: str = "renew.yml", extra: dict | None = None, *args: str, timeout: int = 240) -> "Result":
        done = subprocess.run(self.command(playbook, extra, *args), cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout, env=os.environ, check=False)
        log = self.tmp / f"run-{uuid.uuid4().hex[:6]}.log"
        log.write_text(done.stdout + done.stderr)
        return Result(done.returncode, done.stdout + done.stderr, log, self.report_path(extra))

    def report_path(self, extra: dict | None = None) -> pathlib.Path:
        return pathlib.Path((extra or {}).get("dns01_renewal_report_path") or self.settings["dns01_renewal_report_path"])

    def txt_left(self) -> dict[str, list[str]]:
        """TXT values still served at each certificate's challenge names, by each authoritative server."""
        left = {}
        for definition in self.certificates:
            for name in definition["names"]:
                record = "_acme-challenge." + name.lstrip("*.")
                for server in (self.lab["LAB_PDNS_DNS"], self.lab["LAB_BIND_SERVER"]):
                    values = txt(record, server)
                    if values:
                        left[f"{record}@{server}"] = values
        return left


class Result:
    def __init__(self, rc: int, output: str, log: pathlib.Path, report_path: pathlib.Path) -> None:
        self.rc, self.output, self.log, self.report_path = rc, output, log, report_path

    @property
    def report(self) -> dict:
        assert self.report_path.exists(), f"no report at {self.report_path}:\n{self.output[-3000:]}"
        return json.loads(self.report_path.read_text())

    def certificate(self, cert_id: str) -> dict:
        entries = [entry for entry in self.report["certificates"] if entry["id"] == cert_id]
        assert entries, f"{cert_id} not in the report: {self.report}"
        return entries[0]

    def __repr__(self) -> str:
        return f"rc={self.rc}\n{self.output[-4000:]}"


def txt(name: str, server: str) -> list[str]:
    query = dns.message.make_query(name, dns.rdatatype.TXT)
    answer = dns.query.udp(query, server, timeout=3)
    if answer.rcode() != dns.rcode.NOERROR:
        return []
    return sorted(b"".join(rdata.strings).decode() for rrset in answer.answer for rdata in rrset
                  if rrset.rdtype == dns.rdatatype.TXT)


def sha256(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}


@pytest.fixture
def renewal(lab, tmp_path, account_dir, acme_dns_account) -> Renewal:
    return Renewal(lab, tmp_path, account_dir, acme_dns_account)


def check_secrets(lab: dict, acme_dns: dict, *logs: pathlib.Path) -> None:
    """scripts/check-secrets.sh on the logs, with the acme-dns password the lab registered for the test."""
    secrets = logs[0].parent / "extra-secrets.txt"
    secrets.write_text(acme_dns["password"] + "\n")
    done = subprocess.run([str(ROOT / "scripts/check-secrets.sh"), "--secrets-file", str(secrets), *map(str, logs)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# --- every problem of the inventory, before any ACME or DNS call ---------------------------------

BAD_INPUTS = {
    "unknown provider type": (lambda r: r.settings["dns01_renewal_providers"].append(
        {"name": "cloud", "type": "cloudflare", "zone": "example.test"}), "cloud: type"),
    "provider not in the catalog": (lambda r: r.certificates[0]["providers"].append("nowhere"),
                                    "names provider 'nowhere', which is not in dns01_renewal_providers"),
    "missing TSIG secret": (lambda r: r.settings["dns01_renewal_providers"][1]["rfc2136"].pop("key_secret"),
                            "update: rfc2136.key_secret"),
    "negative TTL": (lambda r: r.settings.update(dns01_renewal_ttl=-5), "dns01_renewal_ttl must be positive"),
    "destination not writable": (lambda r: r.certificates[0].update(cert_path="/proc/dns01/cert.pem"),
                                 "cert_path /proc/dns01/cert.pem"),
}


def test_bad_inputs_fail_together_before_any_call(renewal, tmp_path, lab, acme_dns_account):
    renewal.certificate("bad", ["primary", "update"])
    for _what, (spoil, _message) in BAD_INPUTS.items():
        spoil(renewal)
    renewal.settings["dns01_renewal_account_key_path"] = str(tmp_path / "never" / "account.key")
    result = renewal.run("renew.yml", None, "-vvv")
    check_secrets(lab, acme_dns_account, result.log)
    assert result.rc != 0, result
    for what, (_spoil, message) in BAD_INPUTS.items():
        assert message in result.output, f"{what}: {message!r} not in\n{result.output[-4000:]}"
    # No ACME call: no account key was made; no DNS call: the lock was never taken and nothing was published.
    assert not (tmp_path / "never").exists()
    assert not (tmp_path / "lock").exists()
    assert "Create or resume the ACME orders" not in result.output
    assert result.report["error"]["phase"] == "validate"
    assert result.certificate("bad")["status"] == "failed"


@pytest.mark.parametrize("what", sorted(BAD_INPUTS))
def test_each_bad_input_alone_fails_before_any_call(renewal, tmp_path, what):
    renewal.certificate("bad", ["primary", "update"])
    spoil, message = BAD_INPUTS[what]
    spoil(renewal)
    result = renewal.run()
    assert result.rc != 0 and message in result.output, result
    assert "Create or resume the ACME orders" not in result.output
    assert not (tmp_path / "lock").exists()


# --- secrets --------------------------------------------------------------------------------------

def test_no_secret_at_any_verbosity(renewal, lab, acme_dns_account, fault):
    renewal.certificate("ok", ["primary", "update", "acmedns"])
    renewal.certificate("down", ["dead"])
    logs = []
    for flag in ("-v", "-vvv"):
        result = renewal.run("renew.yml", None, flag)
        logs.append(result.log)
    fault("pdns", "http500")
    failing = renewal.run("renew.yml", {"dns01_renewal_force": True}, "-vvv")
    assert failing.rc != 0, failing
    logs.append(failing.log)
    drill_dir = renewal.tmp / "drill"
    # The report directory is a play variable of the drill: only -e overrides it.
    drill = renewal.run("failover_drill.yml", {"dns01_drill_outage": ["primary"]}, "-vvv",
                        "-e", f"dns01_drill_report_dir={drill_dir}")
    logs.append(drill.log)
    assert json.loads((drill_dir / "failover-drill.json").read_text())["scenarios"], drill
    assert renewal.report_path().exists()
    check_secrets(lab, acme_dns_account, *logs)


def test_no_secret_at_vvv_with_every_kind_of_credential(renewal, lab, acme_dns_account):
    """-vvv on a renewal that uses a TSIG key, the PowerDNS API key, an acme-dns password and Route 53 credentials
    (the Route 53 zone is missing, so its errors are printed too, then RFC 2136 carries on).

    Not ANSIBLE_DEBUG=1: ansible-core's debug output prints every module's arguments unmasked (no_log does
    not apply to it), whatever the collection does.
    """
    aws = {"secret_key": secrets.token_urlsafe(30), "session_token": secrets.token_urlsafe(60)}
    renewal.settings["dns01_renewal_providers"].append(
        {"name": "aws", "type": "route53",
         "route53": {"zone_id": "Z" + uuid.uuid4().hex[:12].upper(), "endpoint_url": lab["LAB_MOTO_URL"],
                     "region": "us-east-1", "access_key": "AKIA" + uuid.uuid4().hex[:16].upper(), **aws}})
    renewal.certificate("tsig", ["update"])
    renewal.certificate("pdns", ["primary"])
    renewal.certificate("r53", ["aws", "update"])
    delegated = renewal.certificate("acmedns", ["acmedns"])
    name = delegated["names"][0]
    delegate(lab, pdns_api(lab), domain=name, target=acme_dns_account["fulldomain"])
    try:
        result = renewal.run("renew.yml", None, "-vvv")
    finally:
        delegate(lab, pdns_api(lab), domain=name, state="absent")
    assert result.rc == 0, result
    assert {entry["id"]: entry["status"] for entry in result.report["certificates"]} == dict.fromkeys(
        ("tsig", "pdns", "r53", "acmedns"), "renewed")
    r53 = result.certificate("r53")
    assert r53["carried_by"] == ["update"] and r53["providers"][0]["provider"] == "aws", r53
    assert r53["providers"][0]["outcome"] == "failed", r53
    extra = renewal.tmp / "aws-secrets.txt"
    extra.write_text("".join(value + "\n" for value in aws.values()))
    check_secrets(lab, acme_dns_account, result.log)
    done = subprocess.run([str(ROOT / "scripts/check-secrets.sh"), "--secrets-file", str(extra), str(result.log)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_delegate_playbook_prints_no_secret(renewal, lab, acme_dns_account):
    domain = f"d-{renewal.label}.{lab['LAB_PDNS_ZONE']}"
    credentials = renewal.tmp / "acme-dns-accounts.json"
    extra = {"dns01_delegation_providers": renewal.settings["dns01_renewal_providers"],
             "dns01_delegation_bootstrap_resolvers": [lab["LAB_RESOLVER"]],
             "dns01_delegation_acme_dns_credentials_file": str(credentials),
             "dns01_delegation_domains": [
                 {"domain": domain, "provider": "primary", "target_zone": lab["LAB_BIND_ZONE"]},
                 {"domain": f"a-{domain}", "provider": "primary",
                  "acme_dns": {"api_url": lab["LAB_ACMEDNS_URL"], "allowfrom": ["127.0.0.0/8"]}}]}
    result = renewal.run("delegate.yml", extra, "-vvv")
    assert result.rc == 0, result
    gone = renewal.run("delegate.yml", {**extra, "dns01_delegation_state": "absent"}, "-vvv")
    registered = renewal.tmp / "registered-secrets.txt"
    registered.write_text("".join(account["password"] + "\n" for account in json.loads(credentials.read_text()).values()))
    check_secrets(lab, acme_dns_account, result.log, gone.log)
    done = subprocess.run([str(ROOT / "scripts/check-secrets.sh"), "--secrets-file", str(registered), str(result.log), str(gone.log)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# --- one certificate's failure is its own ------------------------------------------------------

def test_dead_zone_fails_only_its_certificate(renewal):
    healthy = renewal.certificate("healthy", ["update"])
    renewal.certificate("dead", ["dead"])
    before = renewal.files()
    result = renewal.run()
    assert result.rc != 0, result
    after = renewal.files()
    assert after["dead/cert.pem"] == before["dead/cert.pem"]
    assert after["healthy/cert.pem"] != before["healthy/cert.pem"]
    assert result.certificate("healthy")["status"] == "renewed"
    dead = result.certificate("dead")
    assert dead["status"] == "failed" and "dead" in dead["error"]
    assert "failed: dead" in result.output and "healthy" not in result.output.rsplit("failed:", 1)[1].split("\n")[0]
    assert renewal.txt_left() == {}
    assert healthy["names"][0] in json.dumps(result.report)


# --- directories --------------------------------------------------------------------------------

def test_existing_directories_keep_mode(renewal, tmp_path):
    renewal.certificate("mode", ["update"])
    directory = tmp_path / "certs" / "mode"
    directory.chmod(0o700)
    account = tmp_path / "acct"
    account.mkdir(mode=0o750)
    account.chmod(0o750)
    renewal.settings["dns01_renewal_account_key_path"] = str(account / "account.key")
    result = renewal.run()
    assert result.rc == 0, result
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(account.stat().st_mode) == 0o750


def test_missing_directories_are_created(renewal, tmp_path):
    definition = renewal.certificate("fresh", ["update"], old=False)
    definition["cert_path"] = str(tmp_path / "certs" / "fresh" / "pub" / "cert.pem")
    definition["key_path"] = str(tmp_path / "certs" / "fresh" / "private" / "key.pem")
    renewal.settings["dns01_renewal_account_key_path"] = str(tmp_path / "acct2" / "account.key")
    result = renewal.run()
    assert result.rc == 0, result
    assert stat.S_IMODE((tmp_path / "acct2").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "certs" / "fresh" / "pub").stat().st_mode) == 0o755
    assert (tmp_path / "certs" / "fresh" / "pub" / "cert.pem").exists()


# --- the account key from the environment ---------------------------------------------------------

def test_account_key_from_the_environment(renewal, tmp_path, account_dir, monkeypatch):
    renewal.run()  # makes sure the module's account key exists
    key = account_dir / "account.key"
    if not key.exists():
        pytest.fail("the first run made no account key")
    renewal.certificate("envkey", ["update"])
    renewal.settings["dns01_renewal_account_key_path"] = str(tmp_path / "unused" / "account.key")
    monkeypatch.setenv("DNS01_ACME_ACCOUNT_KEY_CONTENT", key.read_text())
    result = renewal.run()
    assert result.rc == 0, result
    assert result.certificate("envkey")["status"] == "renewed"
    assert not (tmp_path / "unused" / "account.key").exists()


# --- the report, whatever happened ---------------------------------------------------------------

def test_report_on_failure(renewal, fault):
    renewal.certificate("alone", ["primary"])
    fault("pdns", "http500")
    result = renewal.run()
    assert result.rc != 0, result
    report = result.report
    entry = result.certificate("alone")
    assert entry["status"] == "failed"
    assert entry["decision"]
    assert [attempt["provider"] for attempt in entry["providers"]] == ["primary"]
    assert entry["providers"][0]["outcome"] == "failed" and "500" in json.dumps(entry["providers"][0])
    assert {"create", "publish"} <= set(report["timings"])
    assert "alone" in result.output and "500" in result.output


def test_check_mode_says_what_would_renew_and_changes_nothing(renewal):
    """The runbook's status `would renew`: --check orders nothing, publishes nothing, writes no certificate."""
    renewal.certificate("cert", ["primary"])
    before = renewal.files()
    result = renewal.run("renew.yml", None, "--check")
    assert result.rc == 0, result
    assert "cert: would renew - 2.0 days left, renewing at 30" in result.output, result
    # Check mode writes nothing: no certificate, no TXT value, no report file.
    assert renewal.files() == before and renewal.txt_left() == {}
    assert not result.report_path.exists()


def test_a_dry_run_proves_the_path_and_leaves_the_certificates_in_place(renewal):
    """The user guide: -e dns01_renewal_dry_run=true (a string, as -e gives it) orders into a temporary directory."""
    renewal.certificate("cert", ["primary"])
    before = renewal.files()
    result = renewal.run("renew.yml", None, "-e", "dns01_renewal_dry_run=true")
    assert result.rc == 0, result
    entry = result.certificate("cert")
    assert entry["status"] == "renewed" and entry["not_after"], entry
    # Issued into the temporary directory, which is gone at the end; the files in place are byte-identical.
    assert not entry["cert_path"].startswith(str(renewal.tmp / "certs")) and not pathlib.Path(entry["cert_path"]).exists()
    assert renewal.files() == before and renewal.txt_left() == {}


# --- failover and multi-publish through every fault of the primary -------------------------------

@pytest.mark.parametrize("strategy", ["failover", "all"])
@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_primary_fault(renewal, fault, strategy, mode):
    renewal.certificate("cert", ["primary", "update"])
    renewal.settings["dns01_renewal_strategy"] = strategy
    fault("pdns", mode, str(SLOW_SECONDS)) if mode == "slow" else fault("pdns", mode)
    result = renewal.run()
    assert result.rc == 0, result
    entry = result.certificate("cert")
    assert entry["status"] == "renewed" and entry["carried_by"] == ["update"], entry
    error_class, text = FAULTS[mode]
    primary = [attempt for attempt in entry["providers"] if attempt["provider"] == "primary"]
    assert primary and primary[-1]["outcome"] == "failed", entry
    assert primary[-1]["error_class"] == error_class and text in json.dumps(primary[-1]), entry
    if mode == "slow":
        time.sleep(SLOW_SECONDS)
    assert renewal.txt_left() == {}


@pytest.mark.parametrize("strategy", ["failover", "all"])
def test_everything_down(renewal, fault, strategy):
    renewal.certificate("cert", ["primary", "dead"])
    renewal.settings["dns01_renewal_strategy"] = strategy
    fault("pdns", "refused")
    before = renewal.files()
    result = renewal.run()
    assert result.rc != 0, result
    entry = result.certificate("cert")
    assert entry["status"] == "failed"
    errors = {attempt["provider"]: attempt for attempt in entry["providers"] if attempt["outcome"] == "failed"}
    assert sorted(errors) == ["dead", "primary"], entry
    assert all(attempt["message"] for attempt in errors.values())
    assert renewal.files() == before
    assert renewal.txt_left() == {}
    assert leftovers(renewal.tmp / "certs") == []


# --- crashes: SIGKILL of the playbook and its workers ---------------------------------------------

def start(renewal: Renewal, extra: dict | None = None) -> subprocess.Popen:
    """The playbook in its own process group, so a kill takes its workers too."""
    return subprocess.Popen(renewal.command("renew.yml", extra), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=os.environ, start_new_session=True)


def read_until(process: subprocess.Popen, marker: str, timeout: float = 180) -> str:
    """The output up to the line holding ``marker``."""
    seen = []
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
        assert time.monotonic() < deadline, "".join(seen)
    pytest.fail(f"the run ended before {marker!r}:\n{''.join(seen)[-3000:]}")


def descendants(root: int) -> list[int]:
    """Every process below ``root``, parents before their children."""
    children: dict[int, list[int]] = {}
    for entry in pathlib.Path("/proc").iterdir():
        try:
            text = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if text:
            children.setdefault(int(text[text.rfind(")") + 2:].split()[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(0), []):
            found.append(child)
            todo.append(child)
    return found


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the playbook and every process below it, as a crash of the controller would.

    ansible's workers start sessions of their own, so killing the playbook's process group would miss
    them and the modules they run. The tree is stopped first (a killed parent would orphan its children
    out of reach), then killed from the leaves up.
    """
    frozen: list[int] = []
    while True:
        new = [pid for pid in [process.pid, *descendants(process.pid)] if pid not in frozen]
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        frozen += new
    for pid in reversed(frozen):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


# (task whose start is awaited, seconds to let it run, extra settings). Kills while the certificate is
# finalized and installed: test_sigkill_while_installing.
KILL_POINTS = {
    # renewal_plan took the lock and returned: the banner of the next task is printed.
    "after locking": ("Sweep the values dead runs left behind", 0.0, {}),
    "after ordering": ("Publish the challenge values", 0.0, {}),
    "after publishing": ("Wait until every authoritative nameserver", 0.0, {}),
    # A resolver that never answers keeps the wait going.
    "while waiting": ("Wait until every authoritative nameserver", 2.0, {"dns01_renewal_check_resolvers": ["127.0.1.99"]}),
}


def leftovers(directory: pathlib.Path) -> list[str]:
    """Files in the certificate directories other than the certificate, the key, the backups of an install
    and the record of the account that ordered it (``.<cert>.acme.json``, installed with the set)."""
    return sorted(str(path) for path in directory.rglob("*")
                  if path.is_file() and path.name not in ("cert.pem", "key.pem", ".cert.pem.acme.json")
                  and not path.name.endswith(".bak"))


# Where the run holds no challenge value yet, the strategy makes no difference: one run is enough.
SIGKILL_CASES = [(point, strategy) for point in sorted(KILL_POINTS) for strategy in ("failover", "all")
                 if point != "after locking" or strategy == "failover"]


@pytest.mark.parametrize(("point", "strategy"), SIGKILL_CASES)
def test_sigkill(renewal, point, strategy):
    renewal.certificate("crash", ["update", "primary"])
    renewal.settings["dns01_renewal_strategy"] = strategy
    before = renewal.files()
    marker, delay, extra = KILL_POINTS[point]
    process = start(renewal, extra)
    read_until(process, marker)
    time.sleep(delay)
    kill_group(process)
    assert renewal.files() == before
    assert leftovers(renewal.tmp / "certs") == []
    started = time.monotonic()
    result = renewal.run()
    assert result.rc == 0, result
    assert time.monotonic() - started < 120
    assert result.certificate("crash")["status"] in ("renewed", "not due")
    assert leftovers(renewal.tmp / "certs") == []
    assert renewal.txt_left() == {}
    if point not in ("after locking", "after ordering"):
        assert any(item["outcome"] == "removed" for item in result.report["swept"]), result.report


# --- two runs at once ------------------------------------------------------------------------------

def lock_left(renewal: Renewal, lab: dict, backend: str) -> list[t.Any]:
    """The holder and the journal entries the lock of the test's renewals still keeps."""
    name = renewal.settings["dns01_renewal_lock_name"]
    if backend == "redis":
        locks: t.Any = RedisLocks(lab["LAB_REDIS_URL"], Clock())
    else:
        locks = FileLocks(renewal.settings["dns01_renewal_lock_directory"], Clock())
    holder = locks.holder(name)
    return ([holder] if holder else []) + locks.journal(name).entries()


@pytest.mark.parametrize(("backend", "wait"), [("file", 0), ("redis", 0), ("file", 120)],
                         ids=["file", "redis", "file-waiting"])
def test_two_runs_at_once(renewal, lab, backend, wait):
    """Two controllers start the same renewal at the same moment: exactly one renews. Without a wait the other
    fails at the lock; waiting (as dns01_renewal_lock_wait does by default) it runs after the first and finds
    the certificate renewed."""
    renewal.certificate("once", ["update"])
    renewal.settings["dns01_renewal_lock_wait"] = wait
    if backend == "redis":
        renewal.settings.update(dns01_renewal_lock_backend="redis", dns01_renewal_lock_redis_url=lab["LAB_REDIS_URL"])
    before = renewal.files()
    reports = [renewal.tmp / "first.json", renewal.tmp / "second.json"]
    runs = [start(renewal, {"dns01_renewal_report_path": str(report)}) for report in reports]
    outputs = [run.communicate(timeout=240)[0] for run in runs]
    entries = [json.loads(report.read_text())["certificates"][0] for report in reports]
    assert sorted(entry["status"] for entry in entries) == ["not due" if wait else "failed", "renewed"], outputs
    winner, loser = (0, 1) if entries[0]["status"] == "renewed" else (1, 0)
    assert runs[winner].returncode == 0, outputs[winner][-3000:]
    if wait:
        # It took the lock once the first released it, and published nothing.
        assert runs[loser].returncode == 0 and entries[loser]["decision"], outputs[loser][-3000:]
        assert not entries[loser]["providers"], entries[loser]
    else:
        assert runs[loser].returncode != 0, outputs[loser][-3000:]
        assert entries[loser]["phase"] == "lock" and entries[loser]["decision"] is None
        assert "held by another run" in entries[loser]["error"]
        assert "Create or resume the ACME orders" not in outputs[loser]
    after = renewal.files()
    assert after["once/cert.pem"] != before["once/cert.pem"] and matching(after, "once")
    assert leftovers(renewal.tmp / "certs") == []
    assert renewal.txt_left() == {}
    assert lock_left(renewal, lab, backend) == []


def test_a_lock_left_by_another_controller_frees_itself_after_its_ttl(renewal, lab):
    """A controller on another host (an AWX node sharing the Redis lock) died holding the lock: its process
    cannot be checked from here, so the next run waits for the lock's TTL (within dns01_renewal_lock_wait),
    then takes it and renews."""
    renewal.certificate("orphan", ["update"])
    renewal.settings.update(dns01_renewal_lock_wait=30, dns01_renewal_lock_backend="redis",
                            dns01_renewal_lock_redis_url=lab["LAB_REDIS_URL"])
    elsewhere = Process("controller-2.example", 4242, "12345", "another-boot")
    locks = RedisLocks(lab["LAB_REDIS_URL"], Clock())
    assert locks.try_acquire(renewal.settings["dns01_renewal_lock_name"], "gone", 5, elsewhere) is None
    result = renewal.run()
    assert result.rc == 0, result
    assert result.certificate("orphan")["status"] == "renewed"
    # It waited for the TTL: a holder whose process cannot be checked is not taken over at once.
    assert result.report["timings"]["lock"] > 1.0, result.report["timings"]
    assert lock_left(renewal, lab, "redis") == []


# --- crashes inside the install: the run killed between two steps of writing the files -------------

# The install writes every file to a temporary file, backs up the old ones, records its intent
# (.cert.pem.install.json), renames the new files over the old ones (certificate, then key) and drops
# the intent. Under strace every rename waits RENAME_DELAY first, so the test sees a step done and kills
# the whole tree well before the next one.
RENAMES = "rename,renameat,renameat2"
RENAME_DELAY = 0.25
INTENT = ".cert.pem.install.json"

# The file whose appearance or change is the kill point: nothing replaced yet, or the certificate
# replaced and the key not yet.
INSTALL_KILL_POINTS = {
    "before the certificate is written": INTENT,
    "after the certificate, before the key": "cert.pem",
}


def start_traced(renewal: Renewal, trace: pathlib.Path) -> subprocess.Popen:
    if shutil.which("strace") is None:
        pytest.fail("strace is missing: run tests/lab/install.sh", pytrace=False)
    strace = ["strace", "-f", "-q", "--seccomp-bpf", "-o", str(trace), "-e", f"trace={RENAMES}",
              "-e", f"inject={RENAMES}:delay_enter={int(RENAME_DELAY * 1e6)}"]
    return subprocess.Popen(strace + renewal.command("renew.yml"), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=os.environ, start_new_session=True)


def kill_when_changed(process: subprocess.Popen, path: pathlib.Path, timeout: float = 120) -> None:
    """Kill the tree as soon as ``path`` appears or changes; that must come before the run ends."""
    def content() -> bytes | None:
        return path.read_bytes() if path.exists() else None

    first, deadline = content(), time.monotonic() + timeout
    while content() == first:
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                kill_group(process)
            pytest.fail(f"{path} never changed:\n{process.stdout.read()[-3000:]}")
        time.sleep(0.005)
    kill_group(process)


def pair(files: dict[str, bytes], cert_id: str) -> tuple[x509.Certificate, t.Any]:
    """The certificate and key files of ``cert_id``, both whole (they parse)."""
    return (x509.load_pem_x509_certificate(files[f"{cert_id}/cert.pem"]),
            serialization.load_pem_private_key(files[f"{cert_id}/key.pem"], None))


def matching(files: dict[str, bytes], cert_id: str) -> bool:
    cert, key = pair(files, cert_id)
    return cert.public_key().public_numbers() == key.public_key().public_numbers()


@pytest.mark.parametrize("point", list(INSTALL_KILL_POINTS))
def test_sigkill_while_installing(renewal, point):
    definition = renewal.certificate("crash", ["update"])
    directory = pathlib.Path(definition["cert_path"]).parent
    before = renewal.files()
    process = start_traced(renewal, renewal.tmp / "strace.log")
    kill_when_changed(process, directory / INSTALL_KILL_POINTS[point])
    after = renewal.files()
    pair(after, "crash")
    old = (before["crash/cert.pem"], before["crash/key.pem"])
    new = (after["crash/cert.pem"], after["crash/key.pem"])
    if point == "before the certificate is written":
        assert new == old
    else:
        # The one state where the pair does not match: the intent beside it lets the next run finish it.
        assert new[0] != old[0] and new[1] == old[1] and not matching(after, "crash")
    assert (directory / INTENT).exists()
    result = renewal.run()
    assert result.rc == 0, result
    assert result.certificate("crash")["status"] in ("renewed", "not due")
    final = renewal.files()
    assert matching(final, "crash") and final["crash/cert.pem"] != old[0]
    assert not (directory / INTENT).exists() and leftovers(renewal.tmp / "certs") == []
    assert renewal.txt_left() == {}
    assert any(item["outcome"] == "removed" for item in result.report["swept"]), result.report
