# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The acme-dns double answers as acme-dns documents: API over HTTP, zone over DNS."""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

# pylint: disable=wrong-import-position
from acmedns_double.server import AcmeDnsDouble, DoubleConfig  # noqa: E402
from acmedns_double.store import Store  # noqa: E402

DOMAIN = "auth.acme-dns.test"
TXT_A = "a" * 43
TXT_B = "b" * 43
TXT_C = "c" * 43


class Client:
    """A minimal acme-dns API and DNS client bound to one double."""

    def __init__(self, double: AcmeDnsDouble) -> None:
        self.double = double

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, t.Any]:
        """(status, content type, body) of one request; JSON bodies are decoded."""
        status, ctype, raw = self.raw(method, path, body, headers)
        return status, ctype, json.loads(raw) if ctype == "application/json" else raw

    def raw(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        """(status, content type, body bytes) of one request."""
        request = urllib.request.Request(self.double.api_url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.headers.get("Content-Type", ""), answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()

    def register(self, allowfrom: list[str] | None = None) -> dict[str, t.Any]:
        """Register and return the account document."""
        body = json.dumps({"allowfrom": allowfrom}).encode() if allowfrom is not None else None
        status, _ctype, document = self.call("POST", "/register", body)
        assert status == 201, document
        return document

    def update(self, account: dict[str, t.Any], txt: str, subdomain: str | None = None, **headers: str) -> tuple[int, t.Any]:
        """POST /update as account; keyword headers override or add to the credentials."""
        sent = {"X-Api-User": account["username"], "X-Api-Key": account["password"], **headers}
        body = json.dumps({"subdomain": subdomain or account["subdomain"], "txt": txt}).encode()
        status, _ctype, document = self.call("POST", "/update", body, sent)
        return status, document

    def query(self, name: str, rdtype: str = "TXT", tcp: bool = False) -> dns.message.Message:
        """One query to the double's DNS server."""
        query = dns.message.make_query(name, rdtype)
        send = dns.query.tcp if tcp else dns.query.udp
        return send(query, "127.0.0.1", port=self.double.dns_port, timeout=5)


def _config(db: Path, **overrides: t.Any) -> DoubleConfig:
    settings: dict[str, t.Any] = {"domain": DOMAIN, "nsname": f"ns.{DOMAIN}", "db": str(db), "bcrypt_cost": 4}
    settings.update(overrides)
    return DoubleConfig(**settings)


class Seconds:
    """A wall clock for the store that moves only when a test says so."""

    def __init__(self, start: float = 1_800_000_000.25) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="seconds")
def seconds_fixture() -> Seconds:
    """The clock every double of a test reads."""
    return Seconds()


@pytest.fixture(name="make_client")
def make_client_fixture(tmp_path: Path, seconds: Seconds) -> t.Iterator[t.Callable[..., Client]]:
    """Start doubles on ephemeral ports (sharing one db unless told otherwise); stop them after."""
    started: list[AcmeDnsDouble] = []

    def make(**overrides: t.Any) -> Client:
        double = AcmeDnsDouble(_config(tmp_path / "acme-dns.db", **overrides), clock=seconds).start()
        started.append(double)
        return Client(double)

    yield make
    for double in started:
        double.stop()


@pytest.fixture(name="client")
def client_fixture(make_client: t.Callable[..., Client]) -> Client:
    """One double."""
    return make_client()


def _txt_values(response: dns.message.Message) -> list[str]:
    return sorted(b"".join(rdata.strings).decode() for rrset in response.answer for rdata in rrset)


def test_register_answers_account(client: Client) -> None:
    """Registration hands out a 40-character password and the full domain."""
    account = client.register()
    assert set(account) == {"username", "password", "fulldomain", "subdomain", "allowfrom"}
    assert len(account["password"]) == 40
    assert account["fulldomain"] == f"{account['subdomain']}.{DOMAIN}"
    assert account["allowfrom"] == []


def test_register_stores_only_a_hash(client: Client, tmp_path: Path) -> None:
    """The clear password never reaches the database file."""
    account = client.register()
    assert account["password"].encode() not in (tmp_path / "acme-dns.db").read_bytes()


def test_update_serves_txt_with_ttl_one(client: Client) -> None:
    """An updated value is served authoritatively with TTL 1."""
    account = client.register()
    assert client.update(account, TXT_A) == (200, {"txt": TXT_A})
    response = client.query(account["fulldomain"])
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert _txt_values(response) == [TXT_A]
    assert response.answer[0].ttl == 1


def test_two_values_kept_third_evicts_first(client: Client) -> None:
    """Two values coexist (apex and wildcard); a third replaces the oldest."""
    account = client.register()
    for value in (TXT_A, TXT_B):
        assert client.update(account, value)[0] == 200
    assert _txt_values(client.query(account["fulldomain"])) == [TXT_A, TXT_B]
    assert client.update(account, TXT_C)[0] == 200
    assert _txt_values(client.query(account["fulldomain"])) == [TXT_B, TXT_C]


def test_update_overwrites_the_row_with_the_oldest_second(client: Client, seconds: Seconds) -> None:
    """LastUpdate is a whole second: the older row is overwritten, not the first written."""
    account = client.register()
    client.update(account, TXT_A)
    seconds.now += 1
    client.update(account, TXT_B)
    seconds.now += 1
    client.update(account, TXT_C)
    assert _txt_values(client.query(account["fulldomain"])) == [TXT_B, TXT_C]


def test_same_second_tie_goes_to_the_first_row(client: Client, seconds: Seconds) -> None:
    """Within one second both rows tie and the first row loses, whatever was written last."""
    account = client.register()
    client.update(account, TXT_A)
    client.update(account, TXT_B)
    # Second 1: the first row holds C, the second row B from second 0.
    seconds.now += 1
    client.update(account, TXT_C)
    # Second 2: A lands in the (older) second row, B in the first row, same second.
    seconds.now += 1
    client.update(account, TXT_A)
    client.update(account, TXT_B)
    assert _txt_values(client.query(account["fulldomain"])) == [TXT_A, TXT_B]
    # Still second 2: the tie goes to the first row, so B (written last) is the one evicted.
    client.update(account, TXT_C)
    assert _txt_values(client.query(account["fulldomain"])) == [TXT_A, TXT_C]


def test_a_row_written_this_second_cannot_be_reached_until_the_next(client: Client, seconds: Seconds) -> None:
    """Once both rows carry the current second, every update lands in the first row."""
    account = client.register()
    client.update(account, TXT_A)
    client.update(account, TXT_B)
    client.update(account, TXT_C)
    assert _txt_values(client.query(account["fulldomain"])) == [TXT_B, TXT_C]
    seconds.now += 1
    client.update(account, TXT_A)
    assert _txt_values(client.query(account["fulldomain"])) == [TXT_A, TXT_B]


def test_store_reads_its_clock_seam(tmp_path: Path, seconds: Seconds) -> None:
    """The store stamps rows with the whole second of the clock it was given."""
    store = Store(str(tmp_path / "seam.db"), bcrypt_cost=4, clock=seconds)
    try:
        reg = store.register([])
        store.update(reg.subdomain, TXT_A)
        assert store.last_updates(reg.subdomain) == [1_800_000_000, 0]
    finally:
        store.close()


def test_query_ignores_case(client: Client) -> None:
    """DNS names match whatever their case."""
    account = client.register()
    client.update(account, TXT_A)
    assert _txt_values(client.query(account["fulldomain"].upper())) == [TXT_A]


@pytest.mark.parametrize("txt", ["a" * 42, "a" * 44, "a" * 42 + "=", "a" * 42 + "."])
def test_bad_txt_rejected(client: Client, txt: str) -> None:
    """Only 43 characters of the URL-safe base64 alphabet are accepted."""
    account = client.register()
    assert client.update(account, txt) == (400, {"error": "bad_txt"})


def _update_raw(client: Client, account: dict[str, t.Any], txt: str, **headers: str) -> tuple[int, str, bytes]:
    sent = {"X-Api-User": account["username"], "X-Api-Key": account["password"], **headers}
    return client.raw("POST", "/update", json.dumps({"subdomain": account["subdomain"], "txt": txt}).encode(), sent)


def test_update_bodies_are_upstreams_bytes(client: Client) -> None:
    """Upstream writes these bodies by hand: a space after the colon, JSON content type."""
    account = client.register()
    assert _update_raw(client, account, TXT_A) == (200, "application/json", b'{"txt": "' + TXT_A.encode() + b'"}')
    assert _update_raw(client, account, "short") == (400, "application/json", b'{"error": "bad_txt"}')
    assert _update_raw(client, account, TXT_A, **{"X-Api-Key": "x" * 40}) == (401, "application/json", b'{"error": "forbidden"}')


def test_register_bodies_are_upstreams_bytes(client: Client) -> None:
    """Registration is marshalled compactly in upstream's field order; its errors are hand-written."""
    status, ctype, raw = client.raw("POST", "/register")
    document = json.loads(raw)
    assert (status, ctype) == (201, "application/json")
    assert list(document) == ["username", "password", "fulldomain", "subdomain", "allowfrom"]
    assert raw == json.dumps(document, separators=(",", ":")).encode()
    assert client.raw("POST", "/register", b"{") == (400, "application/json", b'{"error": "malformed_json_payload"}')
    assert client.raw("POST", "/register", b'{"allowfrom": ["10.0.0.1"]}') == (
        400, "application/json", b'{"error": "invalid_allowfrom_cidr"}')


@pytest.mark.parametrize("change", ["wrong_key", "unknown_user", "other_subdomain", "no_key"])
def test_auth_failures_are_forbidden(client: Client, change: str) -> None:
    """Every credential or ownership failure is the same 401 forbidden."""
    account, other = client.register(), client.register()
    if change == "wrong_key":
        answer = client.update(account, TXT_A, **{"X-Api-Key": other["password"]})
    elif change == "unknown_user":
        answer = client.update(account, TXT_A, **{"X-Api-User": "9d7cf3bb-1f0e-4f7e-a4d7-9c1b2e0a5f11"})
    elif change == "other_subdomain":
        answer = client.update(account, TXT_A, subdomain=other["subdomain"])
    else:
        answer = client.update(account, TXT_A, **{"X-Api-Key": ""})
    assert answer == (401, {"error": "forbidden"})


def test_allowfrom_checks_client_address(client: Client) -> None:
    """allowfrom is matched against the connecting address; brackets are stripped."""
    outside, inside = client.register(["192.0.2.0/24"]), client.register(["127.0.0.0/8", "[::1]/128"])
    assert inside["allowfrom"] == ["127.0.0.0/8", "::1/128"]
    assert client.update(outside, TXT_A) == (401, {"error": "forbidden"})
    assert client.update(inside, TXT_A)[0] == 200


def test_allowfrom_checks_header_when_enabled(make_client: t.Callable[..., Client]) -> None:
    """With use_header, any address of the header list may match allowfrom."""
    client = make_client(use_header=True, header_name="X-Forwarded-For")
    account = client.register(["192.0.2.0/24"])
    assert client.update(account, TXT_A)[0] == 401
    assert client.update(account, TXT_A, **{"X-Forwarded-For": "198.51.100.7, 192.0.2.9"})[0] == 200
    assert client.update(account, TXT_B, **{"X-Forwarded-For": "198.51.100.7"})[0] == 401


def test_malformed_json_rejected(client: Client) -> None:
    """A register body that does not decode as the expected object is refused."""
    for body in (b"{not json", b"[]", b'{"allowfrom": "10.0.0.0/8"}'):
        assert client.call("POST", "/register", body)[::2] == (400, {"error": "malformed_json_payload"})


@pytest.mark.parametrize("cidr", ["10.0.0.300/8", "10.0.0.1", "10.0.0.0/33", "nonsense"])
def test_bad_cidr_rejected(client: Client, cidr: str) -> None:
    """One bad allowfrom entry refuses the whole registration."""
    body = json.dumps({"allowfrom": ["127.0.0.0/8", cidr]}).encode()
    assert client.call("POST", "/register", body)[::2] == (400, {"error": "invalid_allowfrom_cidr"})


def test_disable_registration_removes_route(make_client: t.Callable[..., Client]) -> None:
    """With registration disabled, /register does not exist."""
    client = make_client(disable_registration=True)
    assert client.call("POST", "/register")[0] == 404


def test_health_is_empty_200(client: Client) -> None:
    """The health check answers 200 with no body."""
    assert client.call("GET", "/health") == (200, "", b"")
    assert client.raw("GET", "/health") == (200, "", b"")


def test_unknown_route_is_404_and_json_answers_say_so(client: Client) -> None:
    """Unknown paths are 404, wrong methods 405, JSON answers are typed."""
    assert client.call("GET", "/nope")[0] == 404
    assert client.call("GET", "/update")[0] == 405
    assert client.call("POST", "/update", b"{}")[1] == "application/json"


def test_never_updated_subdomain_is_nxdomain_with_day_long_soa(client: Client) -> None:
    """A fresh subdomain has no data: NXDOMAIN whose SOA minimum is a day."""
    account = client.register()
    response = client.query(account["fulldomain"])
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA
    soa = response.authority[0]
    assert soa.rdtype == dns.rdatatype.SOA
    assert soa[0].minimum == 86400


def test_unknown_name_is_nxdomain(client: Client) -> None:
    """Names in the zone that nobody registered do not exist."""
    assert client.query(f"nothing.{DOMAIN}").rcode() == dns.rcode.NXDOMAIN


def test_outside_zone_is_refused(client: Client) -> None:
    """The double is authoritative for its zone only."""
    response = client.query("example.com.")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA


def test_static_records(client: Client) -> None:
    """The apex carries NS, the apex and the name server an address; other types are NODATA."""
    assert client.query(DOMAIN, "NS").answer[0][0].target.to_text() == f"ns.{DOMAIN}."
    assert client.query(f"ns.{DOMAIN}", "A").answer[0][0].address == "127.0.0.1"
    assert client.query(DOMAIN, "A").answer[0][0].address == "127.0.0.1"
    nodata = client.query(DOMAIN, "MX")
    assert (nodata.rcode(), nodata.answer, nodata.authority[0].rdtype) == (dns.rcode.NOERROR, [], dns.rdatatype.SOA)


def test_tcp_query(client: Client) -> None:
    """The zone is served over TCP too."""
    account = client.register()
    client.update(account, TXT_A)
    client.update(account, TXT_B)
    assert _txt_values(client.query(account["fulldomain"], tcp=True)) == [TXT_A, TXT_B]


def test_instances_sharing_a_database_see_each_other(make_client: t.Callable[..., Client]) -> None:
    """Two instances on one database act as one highly available service."""
    first, second = make_client(), make_client()
    account = first.register()
    assert second.update(account, TXT_A)[0] == 200
    assert _txt_values(first.query(account["fulldomain"])) == [TXT_A]
    assert first.update(account, TXT_B)[0] == 200
    assert _txt_values(second.query(account["fulldomain"])) == [TXT_A, TXT_B]


def test_logs_never_carry_secrets(client: Client, capfd: pytest.CaptureFixture[str]) -> None:
    """One log line per request, without the password or API key."""
    account = client.register()
    client.update(account, TXT_A)
    client.query(account["fulldomain"])
    logged = capfd.readouterr().err
    assert account["password"] not in logged
    assert "/register 201" in logged and "/update 200" in logged
    assert f"{account['fulldomain']}. TXT NOERROR answers=1" in logged


def test_edns_answers(client: Client) -> None:
    """EDNS version 0 is echoed; any other version is BADVERS."""
    query = dns.message.make_query(DOMAIN, "SOA", use_edns=0, payload=4096)
    response = dns.query.udp(query, "127.0.0.1", port=client.double.dns_port, timeout=5)
    assert (response.edns, response.rcode()) == (0, dns.rcode.NOERROR)
    query = dns.message.make_query(DOMAIN, "SOA", use_edns=1)
    response = dns.query.udp(query, "127.0.0.1", port=client.double.dns_port, timeout=5)
    assert response.rcode() == dns.rcode.BADVERS


def test_command_line_entry_point(tmp_path: Path) -> None:
    """server.py runs standalone and reports its bound ports."""
    script = Path(__file__).resolve().parents[2] / "lab" / "acmedns_double" / "server.py"
    command = [sys.executable, str(script), "--api-port", "0", "--dns-port", "0", "--domain", DOMAIN,
               "--nsname", f"ns.{DOMAIN}", "--db", str(tmp_path / "cli.db"), "--bcrypt-cost", "4"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as process:
        try:
            ready = process.stderr.readline()
            assert "ready" in ready, ready
            url = ready.split("api ", 1)[1].split()[0]
            with urllib.request.urlopen(url + "/health", timeout=10) as answer:
                assert answer.status == 200
        finally:
            process.terminate()
            assert process.wait(timeout=10) == 0
