# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""With the roles' defaults, an expiry alert means renewals have not worked for a while.

The runbook promises it to the person on call: a certificate that renews at
its own moment, by a daily run, never crosses an expiry threshold first.
"""

from __future__ import annotations

import datetime
import pathlib

import pytest
import yaml

from ansible_collections.portable.dns01.plugins.module_utils._acme.renewal import decide
from ansible_collections.portable.dns01.plugins.module_utils._expiry.argspec import DEFAULT_THRESHOLDS
from ansible_collections.portable.dns01.plugins.module_utils._expiry.evaluate import level_of
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._acme.fakes import NOW, make_cert

ROOT = pathlib.Path(__file__).resolve().parents[3]
NAMES = ["www.example.test"]
DAY = datetime.timedelta(days=1)


def defaults(role: str) -> dict:
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lifetime", [90, 45])
def test_a_certificate_renewed_by_the_next_daily_run_never_reaches_an_expiry_threshold(lifetime):
    renew_before = defaults("renewal")["dns01_renewal_renew_before_days"]
    for thresholds in (defaults("expiry")["dns01_expiry_thresholds"], DEFAULT_THRESHOLDS):
        for serial in range(1, 200):
            cert, _key = make_cert(NAMES, days_left=lifetime - 1, lifetime=lifetime, serial=serial)
            moment = decide(cert, NAMES, "ec256", NOW, renew_before).renew_at
            # The daily run after the moment renews it: the most days left it is seen with before that.
            days_left = (cert.not_valid_after_utc - (moment + DAY)).total_seconds() / 86400
            assert level_of(days_left, thresholds) is None, (serial, round(days_left, 2), thresholds)
