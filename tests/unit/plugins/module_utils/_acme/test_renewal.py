# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The idempotence decision, from real certificates."""

from __future__ import annotations

import datetime

from cryptography.hazmat.primitives import serialization

from ansible_collections.portable.dns01.plugins.module_utils._acme.certs import read_cert
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import key_pem
from ansible_collections.portable.dns01.plugins.module_utils._acme.renewal import decide, renewal_time

from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import NOW, make_cert

NAMES = ["x.example.test", "*.x.example.test"]


def hours(count):
    return datetime.timedelta(hours=count)


def test_fresh_certificate_with_the_same_names_and_key_type_needs_nothing(tmp_path):
    cert, _key = make_cert(NAMES, days_left=60)
    path = tmp_path / "cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    decision = decide(read_cert(str(path)), list(reversed(NAMES)), "ec256", NOW, 30)
    assert not decision.needed
    assert "60.0 days left" in decision.reason


def test_missing_or_garbage_file_needs_an_order(tmp_path):
    garbage = tmp_path / "cert.pem"
    garbage.write_text("not a certificate")
    assert decide(read_cert(str(garbage)), NAMES, "ec256", NOW, 30).needed
    assert decide(read_cert(str(tmp_path / "missing.pem")), NAMES, "ec256", NOW, 30).reason == "no certificate is installed"


def test_different_names_or_key_type_need_an_order():
    cert, _key = make_cert(NAMES, days_left=60)
    assert "names differ" in decide(cert, NAMES[:1], "ec256", NOW, 30).reason
    assert "names differ" in decide(cert, NAMES + ["y.example.test"], "ec256", NOW, 30).reason
    assert "key type is not rsa2048" in decide(cert, NAMES, "rsa2048", NOW, 30).reason


def test_inside_renew_before_days_or_expired_needs_an_order():
    assert decide(make_cert(NAMES, days_left=29)[0], NAMES, "ec256", NOW, 30).needed
    assert decide(make_cert(NAMES, days_left=-1)[0], NAMES, "ec256", NOW, 30).reason == "the certificate has expired"


def test_force_overrides_a_fresh_certificate():
    assert decide(make_cert(NAMES, days_left=80)[0], NAMES, "ec256", NOW, 30, force=True).needed


def test_ari_window_replaces_renew_before_days():
    cert, _key = make_cert(NAMES, days_left=60)
    passed = (NOW - hours(24), NOW - hours(1))
    later = (NOW + hours(24), NOW + hours(48))
    assert decide(cert, NAMES, "ec256", NOW, 30, window=passed).needed
    assert not decide(cert, NAMES, "ec256", NOW, 30, window=later).needed
    # ARI says renew even though 60 days are left; and no renewal at 10 days if ARI says later.
    short, _key = make_cert(NAMES, days_left=10)
    assert not decide(short, NAMES, "ec256", NOW, 30, window=later).needed


def seconds(count):
    return datetime.timedelta(seconds=count)


def test_the_renewal_moment_is_spread_over_the_window_and_stable_per_certificate():
    window = (NOW, NOW + hours(48))
    moments = [renewal_time(window, serial) for serial in range(1, 401)]
    assert all(window[0] <= moment <= window[1] for moment in moments)
    # A fleet issued together lands all over the window, not at its start.
    fractions = sorted((moment - NOW) / hours(48) for moment in moments)
    assert fractions[0] < 0.05 and fractions[-1] > 0.95
    assert 0.4 < fractions[200] < 0.6
    assert [renewal_time(window, serial) for serial in range(1, 401)] == moments


def test_inside_the_ari_window_the_certificate_waits_for_its_own_moment(fake_clock):
    cert, _key = make_cert(NAMES, days_left=60, serial=0xABCDEF)
    window = (NOW - hours(1), NOW + hours(47))
    moment = renewal_time(window, cert.serial_number)
    assert window[0] < moment < window[1]
    before = decide(cert, NAMES, "ec256", moment - seconds(1), 30, window=window)
    at = decide(cert, NAMES, "ec256", moment, 30, window=window)
    assert not before.needed and at.needed
    assert moment.isoformat() in before.reason


def test_without_ari_a_fleet_renews_over_days_before_renew_before_days_not_in_one_run():
    lifetime = 90
    # 31.5 days left, renew_before_days 30: each certificate's moment lies in the 3 days before the 30-day mark.
    due = [decide(make_cert(NAMES, days_left=31.5, lifetime=lifetime, serial=serial)[0], NAMES, "ec256", NOW, 30).needed
           for serial in range(1, 41)]
    assert 0 < sum(due) < len(due)
    # At the 30-day mark every one of them renews: renew_before_days stays the latest moment.
    assert all(decide(make_cert(NAMES, days_left=29.99, serial=serial)[0], NAMES, "ec256", NOW, 30).needed
               for serial in range(1, 41))
    assert not any(decide(make_cert(NAMES, days_left=33.01, serial=serial)[0], NAMES, "ec256", NOW, 30).needed
                   for serial in range(1, 41))


def test_a_changed_profile_needs_an_order():
    cert, _key = make_cert(NAMES, days_left=60)
    assert decide(cert, NAMES, "ec256", NOW, 30, profile=("shortlived", "classic")).needed
    assert "profile" in decide(cert, NAMES, "ec256", NOW, 30, profile=("shortlived", None)).reason
    assert not decide(cert, NAMES, "ec256", NOW, 30, profile=("classic", "classic")).needed
    assert not decide(cert, NAMES, "ec256", NOW, 30, profile=(None, "classic")).needed


def test_a_bundle_with_a_key_first_and_crlf_line_ends_is_read(tmp_path):
    cert, key = make_cert(NAMES, days_left=60)
    other, _key = make_cert(["other.example.test"])
    bundle = tmp_path / "bundle.pem"
    pem = cert.public_bytes(serialization.Encoding.PEM) + other.public_bytes(serialization.Encoding.PEM)
    bundle.write_bytes(key_pem(key) + pem.replace(b"\n", b"\r\n"))
    assert read_cert(str(bundle)).serial_number == cert.serial_number
    assert not decide(read_cert(str(bundle)), NAMES, "ec256", NOW, 30).needed
