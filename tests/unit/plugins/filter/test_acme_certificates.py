# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.portable.dns01.plugins.filter.acme_certificates import acme_certificates

CERTS = [
    {"id": "web", "names": ["example.test", "*.example.test"], "providers": ["primary"],
     "cert_path": "/etc/ssl/web.crt", "key_path": "/etc/ssl/private/web.key"},
    {"names": ["*.api.example.test"], "providers": ["primary"], "cert_path": "/etc/ssl/api.crt", "key_path": "/etc/ssl/api.key"},
]


def test_role_only_keys_are_dropped_and_inputs_untouched():
    out = acme_certificates(CERTS)
    assert all("providers" not in cert for cert in out)
    assert out[0]["cert_path"] == "/etc/ssl/web.crt"
    assert CERTS[0]["providers"] == ["primary"]


def test_orders_keep_only_open_ones_and_add_their_url():
    orders = [{"id": "web", "order_url": "https://ca/order/1"}, {"id": "*.api.example.test", "order_url": None}]
    out = acme_certificates(CERTS, orders=orders)
    assert [cert["id"] for cert in out] == ["web"]
    assert out[0]["order_url"] == "https://ca/order/1"


def test_dry_run_destination_rewrites_every_path_without_collisions():
    out = acme_certificates(CERTS, dest="/tmp/dry")
    assert out[0]["cert_path"] == "/tmp/dry/web-web.crt"
    assert out[0]["key_path"] == "/tmp/dry/web-web.key"
    assert out[1]["cert_path"] == "/tmp/dry/_wildcard.api.example.test-api.crt"
    assert CERTS[0]["cert_path"] == "/etc/ssl/web.crt"


def test_expiry_endpoints_stay_with_the_role():
    # The expiry role reads `endpoints` from the same definitions; acme_order refuses unknown keys.
    out = acme_certificates([{**CERTS[0], "endpoints": ["www.example.test:443"]}])
    assert "endpoints" not in out[0]


def test_dry_run_destination_drops_a_certificate_account_directory():
    cert = {**CERTS[0], "account": {"key_path": "/etc/ssl/acme/other.key", "directory": "letsencrypt"}}
    assert acme_certificates([cert])[0]["account"] == cert["account"]
    out = acme_certificates([cert], dest="/tmp/dry")
    assert out[0]["account"] == {"key_path": "/etc/ssl/acme/other.key"}
    assert cert["account"]["directory"] == "letsencrypt"


def test_renewal_hooks_stay_with_the_role():
    out = acme_certificates([{**CERTS[0], "hooks": {"commands": ["/bin/true"]}}])
    assert "hooks" not in out[0]
