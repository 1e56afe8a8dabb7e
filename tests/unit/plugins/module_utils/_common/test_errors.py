# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    Dns01Error,
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
)


def test_result_carries_message_class_and_details_without_empty_ones():
    result = InputError("records[0].name is not a DNS name", field="records[0].name", value=None).result()
    assert result == {"msg": "records[0].name is not a DNS name", "error_class": "InputError", "field": "records[0].name"}


def test_provider_error_defaults_to_transient_and_keeps_http_facts():
    exc = ProviderError("HTTP 429 from pdns", provider="pdns", status=429, retry_after=2.0)
    assert exc.transient
    assert exc.result()["status"] == 429
    assert exc.result()["retry_after"] == 2.0
    assert isinstance(exc, Dns01Error)


def test_auth_and_unavailable_errors_are_not_retried():
    assert not ProviderAuthError("HTTP 401", provider="pdns", status=401).transient
    assert not ProviderUnavailable("simulated outage", provider="pdns").transient
