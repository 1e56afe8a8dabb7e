# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Orders and authorizations: create, resume, poll, finalize, download.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import datetime
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.client import AcmeClient
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock, Deadline
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import AcmeError, RateLimitError
from ansible_collections.portable.dns01.plugins.module_utils._common.retry_after import retry_after_seconds

try:
    import josepy as jose
    import requests
    from acme import messages
except ImportError:
    NewOrder: t.Any = None
else:
    class NewOrder(messages.NewOrder):  # type: ignore[no-redef]
        """newOrder with the ``replaces`` field of RFC 9773 section 5, which the acme library lacks."""

        replaces: str | None = jose.field("replaces", omitempty=True)

POLL_INTERVAL = 2.0
# Without a Retry-After the first poll comes soon (a CA often validates or
# issues in well under a second), and the next ones slow down to POLL_INTERVAL.
FIRST_POLL = 0.25
RESUMABLE = ("pending", "ready", "processing", "valid")


def _identifiers(names: list[str]) -> list[t.Any]:
    """Wildcards are ordered as ``*.name``; the CA answers with a wildcard authorization."""
    return [messages.Identifier(typ=messages.IDENTIFIER_FQDN, value=name) for name in names]


def _replacement_refused(error: AcmeError) -> bool:
    """Whether the CA refused the ``replaces`` hint rather than the order.

    Let's Encrypt answers alreadyReplaced (409) for a certificate replaced before, unauthorized for one
    another account ordered, and malformed for one it cannot find or whose names do not overlap.
    """
    if isinstance(error, RateLimitError):
        return False
    problem = error.details.get("problem") or {}
    code = str(problem.get("type", "")).rsplit(":", 1)[-1]
    detail = str(problem.get("detail", "")).lower()
    if code == "alreadyReplaced" or error.details.get("status") == 409:
        return True
    return code in ("malformed", "unauthorized") and ("replace" in detail or "ari" in detail.split())


def new_order(client: AcmeClient, names: list[str], replaces: str | None = None,
              profile: str | None = None) -> tuple[str, dict[str, t.Any], str | None]:
    """Create an order; (its URL, its JSON, the ``replaces`` the CA accepted)."""
    payload = NewOrder(identifiers=_identifiers(names), replaces=replaces, profile=profile)
    try:
        response = client.post(client.directory["newOrder"], payload, "creating the order")
    except AcmeError as exc:
        # The CA will not let this order replace the old certificate: order without the hint.
        if replaces and _replacement_refused(exc):
            return new_order(client, names, None, profile)
        raise
    return response.headers["Location"], response.json(), replaces


def fetch_order(client: AcmeClient, url: str) -> tuple[dict[str, t.Any], t.Any]:
    """(the order's JSON, the response)."""
    return client.fetch(url, f"reading the order {url}")


def resumable(order: dict[str, t.Any], names: list[str]) -> bool:
    """Whether an existing order can be carried on for these names."""
    ordered = sorted(str(ident.get("value")) for ident in order.get("identifiers", []))
    return order.get("status") in RESUMABLE and ordered == sorted(names)


def abandoned(order: dict[str, t.Any], now: datetime.datetime) -> str | None:
    """Why the CA will not carry an order on (invalid, or expired while pending), or None."""
    if order.get("status") == "invalid":
        return "it is invalid"
    expires = order.get("expires")
    if order.get("status") in ("pending", "ready") and expires:
        try:
            when = datetime.datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
        except ValueError:
            return None
        if (when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)) <= now:
            return f"it expired at {expires}"
    return None


def fetch_authorizations(client: AcmeClient, order: dict[str, t.Any]) -> list[tuple[str, dict[str, t.Any]]]:
    """[(URL, JSON)] of the order's authorizations, in the order's order."""
    return [(url, client.fetch(url, f"reading the authorization {url}")[0]) for url in order.get("authorizations", [])]


def wait_for(fetch: t.Callable[[], tuple[dict[str, t.Any], t.Any]], done: t.Callable[[dict[str, t.Any]], bool],
             deadline: Deadline, clock: Clock, what: str) -> dict[str, t.Any]:
    """Poll until ``done``, sleeping as long as the server's Retry-After asks, within ``deadline``."""
    delays = poll_delays()
    while True:
        document, response = fetch()
        if done(document):
            return document
        hint = retry_after_seconds(response.headers.get("Retry-After"), clock.now())
        delay = next(delays)
        clock.sleep(deadline.cap(delay if hint is None else hint))
        # No fetch at the deadline: it could not wait for an answer.
        if deadline.expired():
            raise AcmeError(f"{what}: still {document.get('status')} after {deadline.seconds:.0f} s",
                            status=document.get("status"))


def poll_delays() -> t.Iterator[float]:
    """The waits between polls when the server asks for none: FIRST_POLL, doubling up to POLL_INTERVAL."""
    delay = FIRST_POLL
    while True:
        yield delay
        delay = min(delay * 2, POLL_INTERVAL)


def deactivate(client: AcmeClient, url: str) -> bool:
    """Deactivate one authorization; a failure here must not hide the failure that led here."""
    try:
        client.post(url, messages.UpdateAuthorization(status="deactivated"), f"deactivating {url}")
    except AcmeError:
        return False
    return True


def finalize(client: AcmeClient, order: dict[str, t.Any], csr: t.Any) -> None:
    """Ask the CA to issue for ``csr``; the order then turns processing, then valid."""
    client.post(order["finalize"], messages.CertificateRequest(csr=csr), "finalizing the order")


def _alternate_links(response: t.Any) -> list[str]:
    links = requests.utils.parse_header_links(response.headers.get("Link", ""))
    return [link["url"] for link in links if link.get("rel") == "alternate" and link.get("url")]


def download(client: AcmeClient, url: str) -> tuple[str, list[str]]:
    """The certificate's full chain and the alternate chains the CA offers."""
    response = client.post(url, None, "downloading the certificate")
    alternates = [client.post(link, None, "downloading an alternate chain").text for link in _alternate_links(response)]
    return response.text, alternates
