# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Failover and multi-publish while the PowerDNS API is down and its DNS still answers."""

from __future__ import annotations

import subprocess
import time
import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import PublishError
from ansible_collections.portable.dns01.tests.integration.lab.test_publish_providers import (
    bind,
    pdns_api,
    pdns_rfc2136,
    publish,
    served,
    token,
    unique,
)

pytestmark = pytest.mark.lab

FAULTS = {
    "refused": "ProviderError",
    "blackhole": "ProviderTimeout",
    "http500": "ProviderError",
    "http429": "ProviderError",
    "http401": "ProviderAuthError",
}


@pytest.fixture
def lab(lab_config):
    return lab_config


@pytest.fixture
def fault(lab: dict[str, str]) -> t.Iterator[t.Callable[[str, str], None]]:
    """Switch a lab fault; every fault set here is cleared afterwards."""
    touched: set[str] = set()

    def switch(service: str, mode: str) -> None:
        touched.add(service)
        subprocess.run([lab["LAB_SCRIPT"], "fault", service, mode], check=True, capture_output=True, timeout=30)

    yield switch
    for service in touched:
        subprocess.run([lab["LAB_SCRIPT"], "fault", service, "none"], check=True, capture_output=True, timeout=30)


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_failover_from_the_api_to_rfc2136(lab, fault, tmp_path, mode):
    fault("pdns", mode)
    name, values = unique(lab["LAB_PDNS_ZONE"]), [token(), token()]
    start = time.monotonic()
    result = publish(lab, [pdns_api(lab), pdns_rfc2136(lab)], [{"name": name, "values": values}], tmp_path, timeout=15.0)
    assert time.monotonic() - start < 15.0
    record = result["records"][0]
    assert record["providers"] == ["pdns-rfc2136"]
    failed = [a for a in record["attempts"] if a["provider"] == "pdns"]
    assert failed and all(a["outcome"] == "failed" for a in failed)
    assert failed[-1]["error_class"] == FAULTS[mode], failed
    if mode == "http401":
        assert len(failed) == 1 and failed[0]["status"] == 401
    assert served(lab["LAB_PDNS_DNS"], name) == set(values)
    assert result["warnings"]
    publish(lab, [pdns_rfc2136(lab)], [{"name": name, "values": values}], tmp_path, state="absent")


def test_breaker_skips_the_down_api_on_the_next_call(lab, fault, tmp_path):
    fault("pdns", "refused")
    providers = [pdns_api(lab, retries=0), pdns_rfc2136(lab)]
    records = [{"name": unique(lab["LAB_PDNS_ZONE"]), "values": [token()]}]
    publish(lab, providers, records, tmp_path, breaker_threshold=1)
    second = publish(lab, providers, records, tmp_path, breaker_threshold=1)
    assert second["records"][0]["attempts"][0]["outcome"] == "breaker_open"
    publish(lab, [pdns_rfc2136(lab)], records, tmp_path, state="absent")


def test_simulated_outage_drill(lab, tmp_path):
    name = unique(lab["LAB_PDNS_ZONE"])
    result = publish(lab, [pdns_api(lab), pdns_rfc2136(lab)], [{"name": name, "values": [token()]}], tmp_path, simulate_outage=["pdns"])
    assert [a["outcome"] for a in result["records"][0]["attempts"]] == ["simulated_outage", "published"]
    publish(lab, [pdns_rfc2136(lab)], [{"name": name, "values": result["records"][0]["values"]}], tmp_path, state="absent")


def test_multi_publish_with_one_provider_down(lab, fault, tmp_path):
    fault("pdns", "http503")
    name, values = unique(lab["LAB_PDNS_ZONE"]), [token(), token()]
    providers = [pdns_api(lab, retries=0), pdns_rfc2136(lab)]
    result = publish(lab, providers, [{"name": name, "values": values}], tmp_path, strategy="all", min_success=1)
    record = result["records"][0]
    assert record["providers"] == ["pdns-rfc2136"]
    assert [a["outcome"] for a in record["attempts"]] == ["failed", "published"]
    assert "HTTP 503" in result["warnings"][0]
    assert served(lab["LAB_PDNS_DNS"], name) == set(values)
    publish(lab, [pdns_rfc2136(lab)], [{"name": name, "values": values}], tmp_path, state="absent")


def test_multi_publish_below_min_success_rolls_back(lab, fault, tmp_path):
    fault("pdns", "http500")
    name, values = unique(lab["LAB_PDNS_ZONE"]), [token()]
    providers = [pdns_api(lab, retries=0), pdns_rfc2136(lab)]
    with pytest.raises(PublishError) as caught:
        publish(lab, providers, [{"name": name, "values": values}], tmp_path, strategy="all", min_success=2)
    rolled_back = caught.value.result()["rolled_back"]
    assert [(entry["provider"], entry["outcome"]) for entry in rolled_back] == [("pdns-rfc2136", "removed")]
    assert served(lab["LAB_PDNS_DNS"], name) == set()


def test_nothing_is_left_behind_on_failure(lab, fault, tmp_path):
    """The first record lands on BIND; the second cannot be published anywhere: the first is removed again."""
    fault("pdns", "refused")
    bind_name, pdns_name = unique(lab["LAB_BIND_ZONE"]), unique(lab["LAB_PDNS_ZONE"])
    records = [{"name": bind_name, "values": [token()]}, {"name": pdns_name, "values": [token()]}]
    with pytest.raises(PublishError) as caught:
        publish(lab, [bind(lab), pdns_api(lab, retries=0)], records, tmp_path)
    result = caught.value.result()
    assert result["rolled_back"] == [{"provider": "bind", "name": bind_name, "values": records[0]["values"], "outcome": "removed",
                                      "message": None}]
    assert served(lab["LAB_BIND_SERVER"], bind_name) == set()
    assert served(lab["LAB_PDNS_DNS"], pdns_name) == set()


@pytest.mark.parametrize("mode", ["blackhole", "refused"])
def test_one_time_out_per_outage_in_a_call(lab, fault, tmp_path, mode):
    """Five records, the API down: only the first record waits for it, the others fail over at once."""
    fault("pdns", mode)
    records = [{"name": unique(lab["LAB_PDNS_ZONE"]), "values": [token()]} for _index in range(5)]
    result = publish(lab, [pdns_api(lab, retries=2), pdns_rfc2136(lab)], records, tmp_path)
    api = [[a["outcome"] for a in record["attempts"] if a["provider"] == "pdns"] for record in result["records"]]
    assert api == [["failed"]] + [["unreachable"]] * 4
    assert all(record["providers"] == ["pdns-rfc2136"] for record in result["records"])
    publish(lab, [pdns_rfc2136(lab)], records, tmp_path, state="absent")


def test_no_write_lands_after_a_black_holed_call_returned(lab, fault, tmp_path):
    """The API is black-holed past the call's timeout, then comes back: the abandoned call must not write then."""
    fault("pdns", "blackhole")
    name, values = unique(lab["LAB_PDNS_ZONE"]), [token()]
    with pytest.raises(PublishError):
        publish(lab, [pdns_api(lab, retries=0)], [{"name": name, "values": values}], tmp_path, timeout=3.0, connect_timeout=10.0)
    fault("pdns", "none")
    time.sleep(8.0)
    assert served(lab["LAB_PDNS_DNS"], name) == set()
