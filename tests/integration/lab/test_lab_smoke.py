"""Smoke tests of the local lab itself (tests/lab/lab.sh up must have run).

They prove each piece the module tests lean on: zones resolve through the
lab root and resolver, Pebble answers over the lab TLS, both PowerDNS APIs
and BIND's RFC 2136 write records, the fault switch breaks only the HTTP API,
and the multi.test secondary lags on demand.
"""

import base64
import fcntl
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.update
import pytest
import redis
import requests

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
STATE_DIR = Path(os.environ.get("LAB_STATE_DIR", REPO / "tests" / "lab" / "state"))
TIMEOUT = 2.0
LOCK_WAIT = 120.0
# Fixtures that change the shared lab: a test using one holds state/lab.lock
# exclusively; every other test holds it shared, so runs in other shells that
# follow the same rule never see each other's faults.
MUTATING_FIXTURES = {"pdns_fault", "bind_fault", "lag"}

AUTHORITATIVE = [
    ("example.test", "127.0.1.1"),
    ("fallback.test", "127.0.1.2"),
    ("multi.test", "127.0.1.2"),
    ("multi.test", "127.0.1.6"),
    ("lame.test", "127.0.1.2"),
    ("auth.acme-dns.test", "127.0.1.4"),
]


@pytest.fixture(scope="module")
def lab():
    path = STATE_DIR / "lab.json"
    if not path.is_file():
        pytest.fail("%s is missing: run tests/lab/lab.sh up" % path, pytrace=False)
    return json.loads(path.read_text())


@pytest.fixture(autouse=True)
def lab_lock(request):
    exclusive = bool(MUTATING_FIXTURES.intersection(request.fixturenames))
    flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(STATE_DIR / "lab.lock", "a", encoding="ascii") as handle:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(handle, flags)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("state/lab.lock held by another run for %d s" % LOCK_WAIT)
                time.sleep(0.05)
        yield
        fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture
def lab_cmd(lab):
    def run(*args):
        subprocess.run([lab["LAB_SCRIPT"], *args], check=True, capture_output=True, timeout=30)
    return run


@pytest.fixture
def pdns_fault(lab_cmd):
    yield lambda *mode: lab_cmd("fault", "pdns", *mode)
    lab_cmd("fault", "pdns", "none")


@pytest.fixture
def bind_fault(lab_cmd):
    yield lambda mode: lab_cmd("fault", "bind", mode)
    lab_cmd("fault", "bind", "none")


@pytest.fixture
def lag(lab_cmd):
    yield lambda action: lab_cmd("lag", "multi.test", action)
    lab_cmd("lag", "multi.test", "off")


def query(server, name, rdtype, recurse=False):
    msg = dns.message.make_query(name, rdtype)
    if not recurse:
        msg.flags &= ~dns.flags.RD
    return dns.query.udp(msg, server, timeout=TIMEOUT)


def txt_values(server, name, recurse=False):
    resp = query(server, name, "TXT", recurse)
    return {b"".join(rd.strings).decode() for rrset in resp.answer for rd in rrset}


def keyring(name, secret):
    return dns.tsigkeyring.from_text({name: (dns.tsig.HMAC_SHA256, secret)})


def update(server, zone, ring, action, name, value):
    msg = dns.update.UpdateMessage(zone, keyring=ring)
    if action == "add":
        msg.add(name, 60, "TXT", '"%s"' % value)
    else:
        msg.delete(name, "TXT", '"%s"' % value)
    resp = dns.query.tcp(msg, server, timeout=TIMEOUT)
    assert dns.rcode.to_text(resp.rcode()) == "NOERROR"


def pdns_zones(lab, timeout=TIMEOUT):
    return requests.get(
        lab["LAB_PDNS_API_URL"] + "/api/v1/servers/localhost/zones",
        headers={"X-API-Key": lab["LAB_PDNS_API_KEY"]}, timeout=timeout)


def wait_for(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.mark.parametrize(("zone", "server"), AUTHORITATIVE)
def test_zone_answers_on_its_authoritative_server(lab, zone, server):
    resp = query(server, zone, "SOA")
    assert dns.rcode.to_text(resp.rcode()) == "NOERROR"
    assert resp.flags & dns.flags.AA
    assert resp.answer


@pytest.mark.parametrize("zone", sorted({pair[0] for pair in AUTHORITATIVE}))
def test_zone_resolves_through_the_lab_resolver(lab, zone):
    resp = query(lab["LAB_RESOLVER"], zone, "SOA", recurse=True)
    assert dns.rcode.to_text(resp.rcode()) == "NOERROR"
    assert resp.answer


def test_resolver_answers_over_dns_over_https(lab):
    # curl, not requests: unbound speaks DoH over HTTP/2 only.
    msg = dns.message.make_query("example.test", "A")
    msg.id = 0
    encoded = base64.urlsafe_b64encode(msg.to_wire()).rstrip(b"=").decode()
    out = subprocess.run(
        ["curl", "-sf", "--max-time", str(TIMEOUT), "--cacert", lab["LAB_TLS_CA_BUNDLE"],
         "-H", "accept: application/dns-message", "%s?dns=%s" % (lab["LAB_DOH_URL"], encoded)],
        check=True, capture_output=True, timeout=10).stdout
    resp = dns.message.from_wire(out)
    assert msg.is_response(resp) and dns.rcode.to_text(resp.rcode()) == "NOERROR"
    assert {rd.address for rrset in resp.answer for rd in rrset} == {"127.0.1.1"}


def test_root_delegates_example_test_with_glue(lab):
    resp = query(lab["LAB_ROOT_SERVER"], "example.test", "A")
    assert [str(rr.name) for rr in resp.authority] == ["example.test."]
    assert "127.0.1.1" in {rd.address for rrset in resp.additional for rd in rrset}


def test_lame_server_refuses_and_the_zone_still_resolves(lab):
    resp = query(lab["LAB_LAME_BAD_SERVER"], lab["LAB_LAME_ZONE"], "SOA")
    assert dns.rcode.to_text(resp.rcode()) == "REFUSED"
    resp = query(lab["LAB_RESOLVER"], "www." + lab["LAB_LAME_ZONE"], "A", recurse=True)
    assert dns.rcode.to_text(resp.rcode()) == "NOERROR"


@pytest.mark.parametrize("key", [
    "LAB_PEBBLE_DIRECTORY", "LAB_PEBBLE_EAB_DIRECTORY", "LAB_PEBBLE_STRICT_DIRECTORY"])
def test_pebble_directory_answers_over_lab_tls(lab, key):
    resp = requests.get(lab[key], verify=lab["LAB_TLS_CA_BUNDLE"], timeout=TIMEOUT)
    assert resp.status_code == 200
    assert "newAccount" in resp.json()


def test_pebble_eab_instance_requires_eab(lab):
    resp = requests.get(lab["LAB_PEBBLE_EAB_DIRECTORY"], verify=lab["LAB_TLS_CA_BUNDLE"],
                        timeout=TIMEOUT)
    assert resp.json()["meta"]["externalAccountRequired"] is True
    assert lab["LAB_PEBBLE_EAB_KID"] and lab["LAB_PEBBLE_EAB_HMAC_KEY"]


def test_pebble_root_was_fetched(lab):
    assert Path(lab["LAB_PEBBLE_ROOT"]).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_pdns_api_lists_the_zone(lab):
    resp = pdns_zones(lab)
    assert resp.status_code == 200
    assert lab["LAB_PDNS_ZONE"] + "." in {zone["name"] for zone in resp.json()}


def test_pdns_api_rejects_a_wrong_key(lab):
    resp = requests.get(lab["LAB_PDNS_API_URL"] + "/api/v1/servers/localhost/zones",
                        headers={"X-API-Key": "wrong"}, timeout=TIMEOUT)
    assert resp.status_code == 401


def test_pdns_rfc2136_update_adds_and_deletes_txt(lab):
    ring = keyring(lab["LAB_PDNS_TSIG_NAME"], lab["LAB_PDNS_TSIG_SECRET"])
    name, value = "_acme-challenge.smoke-%s" % uuid.uuid4().hex[:8], uuid.uuid4().hex
    fqdn = "%s.%s" % (name, lab["LAB_PDNS_ZONE"])
    update(lab["LAB_PDNS_DNS"], lab["LAB_PDNS_ZONE"], ring, "add", name, value)
    assert txt_values(lab["LAB_PDNS_DNS"], fqdn) == {value}
    update(lab["LAB_PDNS_DNS"], lab["LAB_PDNS_ZONE"], ring, "delete", name, value)
    assert txt_values(lab["LAB_PDNS_DNS"], fqdn) == set()


def test_bind_tsig_update_adds_and_deletes_txt(lab):
    ring = keyring(lab["LAB_BIND_TSIG_NAME"], lab["LAB_BIND_TSIG_SECRET"])
    name, value = "_acme-challenge.smoke-%s" % uuid.uuid4().hex[:8], uuid.uuid4().hex
    fqdn = "%s.%s" % (name, lab["LAB_BIND_ZONE"])
    update(lab["LAB_BIND_SERVER"], lab["LAB_BIND_ZONE"], ring, "add", name, value)
    assert txt_values(lab["LAB_BIND_SERVER"], fqdn) == {value}
    update(lab["LAB_BIND_SERVER"], lab["LAB_BIND_ZONE"], ring, "delete", name, value)
    assert txt_values(lab["LAB_BIND_SERVER"], fqdn) == set()


def test_bind_rejects_a_wrong_tsig_secret(lab):
    ring = keyring(lab["LAB_BIND_TSIG_NAME"], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    with pytest.raises(dns.tsig.PeerBadSignature):
        update(lab["LAB_BIND_SERVER"], lab["LAB_BIND_ZONE"], ring, "add", "_acme-challenge", "x")


@pytest.mark.parametrize(("mode", "status"), [("http500", 500), ("http429", 429),
                                              ("http503", 503), ("http401", 401)])
def test_pdns_fault_returns_status_while_dns_answers(lab, pdns_fault, mode, status):
    pdns_fault(mode)
    resp = pdns_zones(lab)
    assert resp.status_code == status
    if status in (429, 503):
        assert resp.headers["Retry-After"] == "2"
    assert query(lab["LAB_PDNS_DNS"], lab["LAB_PDNS_ZONE"], "SOA").answer


def test_pdns_fault_refused_fails_fast(lab, pdns_fault):
    pdns_fault("refused")
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        pdns_zones(lab, timeout=1)
    assert time.monotonic() - started < 1
    assert query(lab["LAB_PDNS_DNS"], lab["LAB_PDNS_ZONE"], "SOA").answer


def test_pdns_fault_blackhole_times_out(lab, pdns_fault):
    pdns_fault("blackhole")
    with pytest.raises(requests.Timeout):
        pdns_zones(lab, timeout=1)
    assert query(lab["LAB_PDNS_DNS"], lab["LAB_PDNS_ZONE"], "SOA").answer


def test_pdns_fault_slow_delays_then_answers(lab, pdns_fault):
    pdns_fault("slow", "1.5")
    started = time.monotonic()
    assert pdns_zones(lab, timeout=5).status_code == 200
    assert time.monotonic() - started >= 1.5


def test_pdns_fault_none_restores_the_api(lab, pdns_fault):
    pdns_fault("http500")
    pdns_fault("none")
    assert pdns_zones(lab).status_code == 200


def test_bind_fault_refused_blocks_updates_not_queries(lab, bind_fault):
    bind_fault("refused")
    ring = keyring(lab["LAB_BIND_TSIG_NAME"], lab["LAB_BIND_TSIG_SECRET"])
    with pytest.raises(ConnectionRefusedError):
        update(lab["LAB_BIND_SERVER"], lab["LAB_BIND_ZONE"], ring, "add", "_acme-challenge", "x")
    assert query(lab["LAB_BIND_SERVER"], lab["LAB_BIND_ZONE"], "SOA").answer


def test_multi_secondary_lags_on_demand_and_syncs(lab, lag):
    primary, secondary = lab["LAB_MULTI_PRIMARY"], lab["LAB_MULTI_SECONDARY"]
    ring = keyring(lab["LAB_BIND_TSIG_NAME"], lab["LAB_BIND_TSIG_SECRET"])
    name, value = "_acme-challenge.lag-%s" % uuid.uuid4().hex[:8], uuid.uuid4().hex
    fqdn = "%s.%s" % (name, lab["LAB_MULTI_ZONE"])
    lag("on")
    update(primary, lab["LAB_MULTI_ZONE"], ring, "add", name, value)
    assert txt_values(primary, fqdn) == {value}
    time.sleep(1)
    assert txt_values(secondary, fqdn) == set()
    lag("sync")
    assert txt_values(secondary, fqdn) == {value}
    lag("off")
    update(primary, lab["LAB_MULTI_ZONE"], ring, "delete", name, value)
    assert wait_for(lambda: txt_values(secondary, fqdn) == set())


def test_moto_answers_through_the_proxy(lab):
    assert requests.get(lab["LAB_MOTO_URL"] + "/moto-api/", timeout=TIMEOUT).status_code == 200


def test_acmedns_double_answers_through_the_proxy(lab):
    assert lab["LAB_ACMEDNS_URL"], "the acme-dns double is not in the tree"
    assert requests.get(lab["LAB_ACMEDNS_URL"] + "/health", timeout=TIMEOUT).status_code == 200


def test_redis_answers(lab):
    assert redis.Redis.from_url(lab["LAB_REDIS_URL"], socket_timeout=TIMEOUT).ping()
