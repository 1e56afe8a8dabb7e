# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime

from cryptography import x509

from ansible_collections.portable.dns01.plugins.module_utils._acme.ari import cert_id, parse_window, renewal_url

from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import make_cert


def test_cert_id_matches_the_rfc_9773_example():
    cert, _key = make_cert(["x.example.test"], serial=0x87654321)
    aki = bytes.fromhex("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")
    # Rebuild with the RFC's key identifier: the example's AKI and serial give this exact ID.
    forged = x509.AuthorityKeyIdentifier(key_identifier=aki, authority_cert_issuer=None, authority_cert_serial_number=None)

    class WithAki:
        serial_number = cert.serial_number
        extensions = x509.Extensions([x509.Extension(x509.AuthorityKeyIdentifier.oid, False, forged)])

    assert cert_id(WithAki()) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"


def test_cert_id_of_a_real_certificate_has_two_parts():
    cert, _key = make_cert(["x.example.test"], serial=0x7F)
    key_part, serial_part = cert_id(cert).split(".")
    assert serial_part == "fw"
    assert "=" not in key_part


def test_window_parsing():
    window = parse_window({"suggestedWindow": {"start": "2026-12-01T00:00:00Z", "end": "2026-12-02T00:00:00Z"}})
    assert window[0] == datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    assert parse_window({"suggestedWindow": {"start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z"}}) is None
    assert parse_window({"explanationURL": "x"}) is None
    assert renewal_url("https://ca/renewal-info/", "a.b") == "https://ca/renewal-info/a.b"
