# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Thresholds crossed once each, renewals resolving, missing files, stale served certificates."""

from __future__ import annotations

import base64
import datetime
import json
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._expiry.action import expiry_action
from ansible_collections.portable.dns01.plugins.module_utils._expiry.evaluate import level_of
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._expiry.fakes import (
    DIRECTORY,
    INFO,
    WINDOW,
    Answer,
    Session,
    make_cert,
    tls_server,
    write_cert,
)

AGES = {"d40": 40, "d20": 20, "d10": 10, "d1": 1, "gone": -3}
DAY = 86400.0


@pytest.fixture
def fleet(tmp_path, fake_clock):
    now = fake_clock.now()
    certs = [{"id": name, "cert_path": write_cert(tmp_path / f"{name}.crt", make_cert(now, days))}
             for name, days in AGES.items()]
    certs.append({"id": "missing", "cert_path": str(tmp_path / "missing.crt")})
    return certs


def params(tmp_path, certificates, **extra):
    return {"certificates": certificates, "source": "web1", "thresholds": [30, 14, 7, 2], "critical_days": 2,
            "state_path": str(tmp_path / "state" / "expiry.json"), "timeout": 2.0, "acknowledge": None, **extra}


def look(tmp_path, fake_clock, certificates, **extra):
    return expiry_action(params(tmp_path, certificates, **extra), False, fake_clock)


def ack(tmp_path, fake_clock, events, check_mode=False):
    return expiry_action(params(tmp_path, [], acknowledge=events), check_mode, fake_clock)


def triggered(result):
    return sorted((e["subject"], e["kind"], e["details"].get("threshold")) for e in result["events"]
                  if e["action"] == "trigger")


@pytest.mark.parametrize("days, level", [(40, None), (30, 30), (29.5, 30), (14, 14), (8, 14), (7, 7),
                                         (2.5, 7), (2, 2), (0.1, 2), (0, 0), (-5, 0)])
def test_level_is_the_smallest_threshold_crossed(days, level):
    assert level_of(days, (30, 14, 7, 2)) == level


def test_first_look_reports_every_crossing(tmp_path, fake_clock, fleet):
    result = look(tmp_path, fake_clock, fleet)
    by_id = {entry["id"]: entry for entry in result["certificates"]}
    assert {k: v["status"] for k, v in by_id.items()} == {
        "d40": "ok", "d20": "warning", "d10": "warning", "d1": "critical", "gone": "expired", "missing": "missing"}
    assert by_id["d20"]["level"] == 30 and by_id["d10"]["level"] == 14 and by_id["d1"]["level"] == 2
    assert by_id["d10"]["days_left"] == 10.0 and by_id["d10"]["issuer"] == "CN=Expiry Test CA"
    assert by_id["d10"]["names"] == ["www.example.test"]
    assert result["counts"] == {"ok": 1, "warning": 2, "error": 0, "critical": 3} and result["critical"] is True
    assert triggered(result) == [("d1", "expiry", 2), ("d10", "expiry", 14), ("d20", "expiry", 30),
                                 ("gone", "expiry", 0), ("missing", "missing", None)]
    event = next(e for e in result["events"] if e["subject"] == "d1")
    assert event["dedup_key"] == "dns01/web1/d1/expiry" and event["severity"] == "critical"
    assert event["summary"] == "d1 on web1: certificate expires in 1.0 days - 2-day threshold"
    assert not os.path.exists(tmp_path / "state" / "expiry.json")


def test_each_threshold_is_reported_once(tmp_path, fake_clock, fleet):
    first = look(tmp_path, fake_clock, fleet)
    assert ack(tmp_path, fake_clock, first["events"])["changed"] is True
    assert look(tmp_path, fake_clock, fleet)["events"] == []
    fake_clock.advance(7 * DAY)
    later = look(tmp_path, fake_clock, fleet)
    # 40 -> 33 crosses nothing, 20 -> 13 crosses 14, 10 -> 3 crosses 7, 1 -> expired.
    assert triggered(later) == [("d1", "expiry", 0), ("d10", "expiry", 7), ("d20", "expiry", 14)]


def test_an_alert_that_reached_nobody_is_raised_again(tmp_path, fake_clock, fleet):
    first = look(tmp_path, fake_clock, fleet)
    delivered = [e for e in first["events"] if e["subject"] != "d10"]
    ack(tmp_path, fake_clock, delivered)
    assert triggered(look(tmp_path, fake_clock, fleet)) == [("d10", "expiry", 14)]


def test_a_renewal_resolves_the_alert(tmp_path, fake_clock, fleet):
    ack(tmp_path, fake_clock, look(tmp_path, fake_clock, fleet)["events"])
    write_cert(tmp_path / "d10.crt", make_cert(fake_clock.now(), 90))
    write_cert(tmp_path / "missing.crt", make_cert(fake_clock.now(), 60))
    result = look(tmp_path, fake_clock, fleet)
    resolved = sorted((e["subject"], e["kind"]) for e in result["events"] if e["action"] == "resolve")
    assert resolved == [("d10", "expiry"), ("missing", "missing")]
    assert triggered(result) == []
    ack(tmp_path, fake_clock, result["events"])
    state = json.loads((tmp_path / "state" / "expiry.json").read_text())
    assert "dns01/web1/d10/expiry" not in state["alerts"] and "dns01/web1/d20/expiry" in state["alerts"]


def test_a_renewal_that_still_crosses_a_threshold_is_reported_again(tmp_path, fake_clock, fleet):
    ack(tmp_path, fake_clock, look(tmp_path, fake_clock, fleet)["events"])
    write_cert(tmp_path / "d10.crt", make_cert(fake_clock.now(), 12))
    assert triggered(look(tmp_path, fake_clock, fleet)) == [("d10", "expiry", 14)]


def test_state_file_is_private_and_check_mode_writes_nothing(tmp_path, fake_clock, fleet):
    events = look(tmp_path, fake_clock, fleet)["events"]
    assert ack(tmp_path, fake_clock, events, check_mode=True)["changed"] is True
    assert not (tmp_path / "state" / "expiry.json").exists()
    ack(tmp_path, fake_clock, events)
    assert stat.S_IMODE((tmp_path / "state" / "expiry.json").stat().st_mode) == 0o600
    assert ack(tmp_path, fake_clock, events)["changed"] is False


def test_without_a_state_file_every_run_reports_again(tmp_path, fake_clock, fleet):
    first = look(tmp_path, fake_clock, fleet, state_path=None)
    assert triggered(look(tmp_path, fake_clock, fleet, state_path=None)) == triggered(first)


def test_a_stale_served_certificate_is_caught(tmp_path, fake_clock):
    now = fake_clock.now()
    path = write_cert(tmp_path / "www.crt", make_cert(now, 80))
    with tls_server(make_cert(now, 5)) as (address, port, sni):
        cert = {"id": "www", "names": ["www.example.test"], "cert_path": path, "endpoints": [f"{address}:{port}"]}
        result = look(tmp_path, fake_clock, [cert])
    entry = result["certificates"][0]
    assert sni == ["www.example.test"]
    assert entry["endpoints"][0]["status"] == "mismatch" and entry["endpoints"][0]["days_left"] == 5.0
    assert entry["status"] == "warning" and entry["severity"] == "error" and entry["level"] == 7
    kinds = sorted(e["kind"] for e in result["events"])
    assert kinds == ["expiry", f"served@{address}:{port}"]
    served = next(e for e in result["events"] if e["kind"].startswith("served"))
    assert "reload the service" in served["summary"] and served["severity"] == "error"
    # The runbook's cue: the stale served certificate crossed the threshold, not the file.
    expiry = next(e for e in result["events"] if e["kind"] == "expiry")
    assert expiry["summary"] == f"www on web1: certificate expires in 5.0 days (served at {address}:{port}) - 7-day threshold"


def test_the_served_certificate_matching_the_file_raises_nothing(tmp_path, fake_clock):
    cert = make_cert(fake_clock.now(), 80)
    path = write_cert(tmp_path / "www.crt", cert)
    with tls_server(cert) as (address, port, sni):
        endpoint = {"host": address, "port": port, "server_name": "api.example.test"}
        result = look(tmp_path, fake_clock, [{"id": "www", "cert_path": path, "endpoints": [endpoint]}])
    assert sni == ["api.example.test"]
    assert result["certificates"][0]["endpoints"][0]["status"] == "match" and result["events"] == []
    assert result["certificates"][0]["severity"] == "ok"


def test_an_endpoint_that_does_not_answer_is_an_error_not_a_hang(tmp_path, fake_clock):
    path = write_cert(tmp_path / "www.crt", make_cert(fake_clock.now(), 80))
    with tls_server(make_cert(fake_clock.now(), 80)) as (address, port, _sni):
        pass  # closed again: nothing listens on that port now
    result = look(tmp_path, fake_clock, [{"id": "www", "cert_path": path, "endpoints": [f"{address}:{port}"]}])
    entry = result["certificates"][0]["endpoints"][0]
    assert entry["status"] == "unreachable" and entry["error"].startswith("could not connect")
    assert result["certificates"][0]["severity"] == "error"


def test_an_unreadable_file_is_critical(tmp_path, fake_clock):
    (tmp_path / "bad.crt").write_text("not a certificate")
    result = look(tmp_path, fake_clock, [{"id": "bad", "cert_path": str(tmp_path / "bad.crt")}])
    assert result["certificates"][0]["status"] == "unreadable" and result["critical"] is True


@pytest.mark.parametrize("certificates, extra, field", [
    ([{"id": "a", "cert_path": "/x"}, {"names": ["a"], "cert_path": "/y"}], {}, "certificates"),
    ([{"id": "a"}], {}, "certificates[0].cert_path"),
    ([{"cert_path": "/x"}], {}, "certificates[0]"),
    ([{"id": "a", "cert_path": "/x", "endpoints": ["host:notaport"]}], {}, "certificates[0].endpoints[0]"),
    ([], {"thresholds": [30, 0]}, "thresholds"),
    ([], {"source": ""}, "source"),
])
def test_bad_input_fails_before_looking(tmp_path, fake_clock, certificates, extra, field):
    with pytest.raises(InputError) as caught:
        look(tmp_path, fake_clock, certificates, **extra)
    assert caught.value.details["field"] == field


def test_acknowledge_needs_a_state_path_and_events_of_this_module(tmp_path, fake_clock):
    with pytest.raises(InputError):
        expiry_action(params(tmp_path, [], acknowledge=[], state_path=None), False, fake_clock)
    with pytest.raises(InputError):
        ack(tmp_path, fake_clock, [{"summary": "not ours"}])


def test_the_ca_renewal_window_is_reported_where_known(tmp_path, fake_clock):
    path = write_cert(tmp_path / "www.crt", make_cert(fake_clock.now(), 20))
    first = look(tmp_path, fake_clock, [{"id": "www", "cert_path": path}])
    ari_id = first["certificates"][0]["ari_id"]
    session = Session({DIRECTORY: Answer(200, {"renewalInfo": INFO}), f"{INFO}/{ari_id}": Answer(200, WINDOW)})
    result = expiry_action(params(tmp_path, [{"id": "www", "cert_path": path}], ari_directory=DIRECTORY,
                                  ari_ca_path=None), False, fake_clock, session=session)
    assert result["certificates"][0]["ari"] == {"start": "2026-11-20T00:00:00+00:00",
                                                "end": "2026-11-25T00:00:00+00:00", "due": True, "error": None}
    assert "ari" not in first["certificates"][0]


def corrupt_extensions() -> bytes:
    """A PEM certificate whose two extensions both claim to be the subjectAltName: parsing its extensions fails."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "corrupt.example")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(5).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("a.example")]), False)
            .add_extension(x509.IssuerAlternativeName([x509.DNSName("b.example")]), False).sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    # The OID 2.5.29.18 (issuerAltName) becomes 2.5.29.17 (subjectAltName).
    der = der.replace(bytes.fromhex("0603551d12"), bytes.fromhex("0603551d11"))
    return b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"


@pytest.mark.parametrize("content", [b"", b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
                                     corrupt_extensions()], ids=["empty", "bad base64", "corrupt extensions"])
def test_a_corrupt_file_is_critical_and_the_others_are_still_checked(tmp_path, fake_clock, content):
    (tmp_path / "bad.crt").write_bytes(content)
    result = look(tmp_path, fake_clock, [{"id": "bad", "cert_path": str(tmp_path / "bad.crt")},
                                         {"id": "gone", "cert_path": str(tmp_path / "gone.crt")}])
    bad, gone = result["certificates"]
    assert bad["status"] == "unreadable" and gone["status"] == "missing" and result["critical"] is True
    assert "Unavailable" not in json.dumps(bad)
    assert [(event["kind"], event["severity"]) for event in result["events"] if event["subject"] == "bad"] == [
        ("missing", "critical")]
