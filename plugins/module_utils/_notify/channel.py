# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one interface every notification channel implements.

This is a private module_utils file: its API may change without notice.
A channel turns an event into one HTTP request; sending, retrying and
reporting are written once above the channels (``http``, ``send``).
"""

from __future__ import annotations

import abc
import dataclasses
import typing as t
import urllib.parse

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._notify.event import Event


# Shorter parts (a path like /in) are no secret and would mask ordinary words.
MIN_SECRET_PART = 6


def url_parts(url: str) -> list[str]:
    """The path, query and password of ``url``: where webhook services put their tokens."""
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return []
    return [part for part in (parts.path, parts.path.rstrip("/").rsplit("/", 1)[-1], parts.query, password) if part]


@dataclasses.dataclass(frozen=True)
class Destination:
    """Where to send, with its secrets (a URL with a token, a routing key)."""

    name: str
    type: str
    url: str = ""
    routing_key: str = ""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    validate_certs: bool = True
    ca_path: str = ""

    def secrets(self) -> list[str]:
        """Values that must never appear in results or messages."""
        values = [self.url, self.routing_key, *self.headers.values()]
        return [value for value in values if value]

    def hidden(self) -> list[str]:
        """What to take out of an error message: the secrets, and the parts an answer may echo on its own
        (the URL's path, last path segment, query and password; a header's credential, as in ``Bearer <token>``)."""
        values = [*self.secrets(), *url_parts(self.url)]
        values.extend(value.split()[-1] for value in self.headers.values() if value.split())
        return [value for value in dict.fromkeys(values) if value and len(value) >= MIN_SECRET_PART]

    def public(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type}


@dataclasses.dataclass(frozen=True)
class Request:
    """One POST of a JSON body."""

    url: str
    body: dict[str, t.Any]
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


class Channel(abc.ABC):
    """A kind of destination: checks its options and shapes the request."""

    type_name = ""
    # Statuses that mean the destination took the event.
    accepted_statuses: tuple[int, ...] = (200, 201, 202, 204)

    def __init__(self, destination: Destination) -> None:
        self.destination = destination
        self.check()

    def check(self) -> None:
        """InputError for missing or malformed options; the default needs an http(s) URL."""
        self.require_url(self.destination.url)

    def require_url(self, url: str) -> None:
        if not url:
            raise InputError(f"destination {self.destination.name}: a URL is needed for type {self.type_name}",
                             field="destinations.url", destination=self.destination.name)
        if not url.startswith(("https://", "http://")):
            # The URL may hold a token: name the destination, not the value.
            raise InputError(f"destination {self.destination.name}: the URL must start with https:// or http://",
                             field="destinations.url", destination=self.destination.name)

    @abc.abstractmethod
    def request(self, event: Event) -> Request:
        """The request that tells this destination about ``event``."""
