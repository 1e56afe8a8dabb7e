# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import threading

import pytest
import requests

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import ProviderAuthError, ProviderError, ProviderTimeout
from ansible_collections.portable.dns01.plugins.module_utils._publish.outage import is_outage
from ansible_collections.portable.dns01.plugins.module_utils._publish.httpcall import check_response, from_requests, run_bounded, status_error
from ansible_collections.portable.dns01.tests.unit.plugins.module_utils._publish.fakes import blackholed_port, refused_port

NOW = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.timezone.utc)


def answer(status: int, headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code, response.reason, response._content = status, "Too Many Requests", b""
    response.headers.update(headers)
    return response


@pytest.mark.parametrize("header, seconds", [
    ("120", 120.0),
    ("Sun, 01 Nov 2026 12:01:30 GMT", 90.0),
    ("Sun, 01 Nov 2026 11:00:00 GMT", 0.0),
    # RFC 5322 "-0000": a date whose zone is unknown, read as UTC.
    ("Sun, 01 Nov 2026 12:01:30 -0000", 90.0),
    ("soon", None),
    (None, None),
])
def test_retry_after(header, seconds):
    headers = {} if header is None else {"Retry-After": header}
    with pytest.raises(ProviderError) as checked:
        check_response(answer(429, headers), NOW)
    assert checked.value.retry_after == seconds
    mapped = from_requests(requests.HTTPError(response=answer(503, headers)), NOW)
    assert mapped is not None and mapped.retry_after == seconds


@pytest.mark.parametrize("status, transient, auth", [
    (401, False, True), (403, False, True), (429, True, False), (503, True, False), (502, True, False), (400, False, False),
])
def test_status_error(status, transient, auth):
    error = status_error(status, "x")
    assert error.transient is transient and isinstance(error, ProviderAuthError) is auth


def test_run_bounded_gives_up_at_the_deadline():
    release = threading.Event()
    with pytest.raises(ProviderTimeout):
        run_bounded(release.wait, lambda: 0.05, (1.0, 1.0))
    release.set()


def test_run_bounded_returns_and_raises():
    assert run_bounded(lambda: 42, lambda: 1.0, (1.0, 1.0)) == 42
    with pytest.raises(ValueError):
        run_bounded(lambda: int("x"), lambda: 1.0, (1.0, 1.0))


def test_a_connect_time_out_is_an_outage():
    with blackholed_port() as port:
        with pytest.raises(requests.RequestException) as caught:
            requests.get(f"http://127.0.0.1:{port}/", timeout=(0.2, 1.0))
    error = from_requests(caught.value, NOW)
    assert isinstance(error, ProviderTimeout) and is_outage(error)


def test_a_refused_connection_is_an_outage_not_retried():
    with pytest.raises(requests.RequestException) as caught:
        requests.get(f"http://127.0.0.1:{refused_port()}/", timeout=(1.0, 1.0))
    error = from_requests(caught.value, NOW)
    assert is_outage(error) and error.transient is False
