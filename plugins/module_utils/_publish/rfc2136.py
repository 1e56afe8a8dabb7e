# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""RFC 2136 dynamic updates with TSIG, over TCP (dnspython).

This is a private module_utils file: its API may change without notice.
Updates add or delete single values and never replace the record set, so a
value published by another order at the same name stays.
"""

from __future__ import annotations

import ipaddress
import socket
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    DnsQueryError,
    InputError,
    ProviderAuthError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import normalize
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider, required

try:
    import dns.exception
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype
    import dns.rdtypes.ANY.TXT
    import dns.tsig
    import dns.tsigkeyring
    import dns.update
except ImportError as exc:
    DNSPYTHON_IMPORT_ERROR: ImportError | None = exc
else:
    DNSPYTHON_IMPORT_ERROR = None

ALGORITHMS = ("hmac-sha256", "hmac-sha384", "hmac-sha512")
# The server will refuse these again: a retry cannot help.
_FINAL_RCODES = ("REFUSED", "NOTAUTH", "NOTZONE", "FORMERR", "NOTIMP", "YXDOMAIN", "YXRRSET", "NXRRSET")


class Rfc2136Provider(Provider):
    """A primary server that accepts TSIG-signed dynamic updates."""

    type_name = "rfc2136"
    can_cname = True

    def __init__(self, name: str, ctx: Context, options: dict[str, t.Any], zone: str | None = None,
                 retries: int | None = None) -> None:
        super().__init__(name, ctx, options, zone, retries)
        if DNSPYTHON_IMPORT_ERROR is not None:
            raise DependencyError("dnspython", exception=str(DNSPYTHON_IMPORT_ERROR))
        field = f"providers[{name}].rfc2136"
        self.server = str(required(options, "server", field))
        self.port = int(options.get("port") or 53)
        self.timeout = float(options.get("timeout") or 10)
        self.keyring, self.key_name = _keyring(options, field)
        self.algorithm = str(options.get("key_algorithm") or "hmac-sha256")
        self.secrets = [str(options.get("key_secret") or "")]
        self._address: str | None = None

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        update = self._update(name)
        for value in sorted(values):
            update.add(dns.name.from_text(name), ttl, _txt(value))
        self._send(update)

    def remove(self, name: str, values: set[str]) -> None:
        update = self._update(name)
        for value in sorted(values):
            update.delete(dns.name.from_text(name), _txt(value))
        self._send(update)

    def list(self, name: str) -> set[str]:
        response = self._send(self._query(name, "TXT"), allow=("NXDOMAIN",))
        qname = dns.name.from_text(name)
        return {_text(rdata) for rrset in response.answer if rrset.name == qname and rrset.rdtype == dns.rdatatype.TXT
                for rdata in rrset}

    def check_health(self) -> None:
        self._send(self._query(self.zone or ".", "SOA"))

    def rrsets(self, name: str) -> dict[str, list[str]]:
        """What the server holds at ``name``, asked with ANY over TCP (answered in full, unlike over UDP)."""
        response = self._send(self._query(name, "ANY"), allow=("NXDOMAIN",))
        qname = dns.name.from_text(name)
        return {dns.rdatatype.to_text(rrset.rdtype): sorted(_value(rdata) for rdata in rrset)
                for rrset in response.answer if rrset.name == qname}

    def set_cname(self, name: str, target: str, ttl: int) -> None:
        """One UPDATE that deletes the CNAME record set and adds the new one, then a read-back.

        A server ignores a CNAME added where other data exists and still
        answers NOERROR (RFC 2136 3.4.1.2): only the read-back shows it.
        """
        owner = dns.name.from_text(name)
        update = self._update(name)
        update.delete(owner, "CNAME")
        update.add(owner, ttl, "CNAME", normalize(target) + ".")
        self._send(update)
        served = self.rrsets(name).get("CNAME", [])
        if served != [normalize(target)]:
            raise self.error(f"{self.server} accepted the update but serves {name} CNAME {served or 'nothing'}, not {target}"
                             " (other data at the name?)", transient=False, status="NOTAPPLIED")

    def delete_rrset(self, name: str, rtype: str, values: list[str]) -> None:
        owner = dns.name.from_text(name)
        update = self._update(name)
        for value in values:
            update.delete(owner, _rdata(rtype, value))
        self._send(update)

    def find_zone(self, name: str) -> str:
        """The zone of ``name`` as the server itself sees it: the owner of the SOA it returns."""
        response = self._send(self._query(name, "SOA"), allow=("NXDOMAIN",))
        for rrset in list(response.answer) + list(response.authority):
            if rrset.rdtype == dns.rdatatype.SOA:
                return normalize(rrset.name.to_text())
        raise self.error(f"{self.server} is not authoritative for {name}", transient=False, status="NOSOA")

    def _update(self, name: str) -> t.Any:
        zone = self.zone or self.find_zone(name)
        return dns.update.UpdateMessage(zone, keyring=self.keyring, keyname=self.key_name, keyalgorithm=self.algorithm)

    def _query(self, name: str, rdtype: str) -> t.Any:
        query = dns.message.make_query(name, rdtype)
        if self.keyring:
            # Signed, so servers that answer only to the key still answer.
            query.use_tsig(self.keyring, keyname=self.key_name, algorithm=self.algorithm)
        return query

    def _send(self, message: t.Any, allow: tuple[str, ...] = ()) -> t.Any:
        timeout = min(self.timeout, max(self.ctx.deadline.remaining(), 0.01))
        try:
            response = dns.query.tcp(message, self._server_address(), timeout=timeout, port=self.port)
        except (dns.tsig.PeerError, dns.tsig.BadSignature, dns.tsig.BadKey, dns.message.UnknownTSIGKey) as exc:
            raise self._key_refused(_tsig_reason(exc)) from None
        except dns.exception.FormError as exc:
            # dnspython refuses an unsigned answer to a signed request; PowerDNS
            # answers so (FORMERR, no TSIG) when the key name or secret is wrong.
            if self.keyring is not None and "TSIG" in str(exc):
                raise self._key_refused("the answer was not signed, as for an unknown key name or a wrong secret") from None
            raise self.error(f"{self.server}:{self.port}: {type(exc).__name__}: {exc}") from None
        except dns.exception.Timeout:
            raise self.error(f"{self.server}:{self.port} did not answer within {timeout:.1f}s", ProviderTimeout) from None
        except (OSError, EOFError, dns.exception.DNSException) as exc:
            raise self.error(f"{self.server}:{self.port}: {type(exc).__name__}: {exc}") from None
        return self._check_rcode(response, allow)

    def _key_refused(self, reason: str) -> ProviderAuthError:
        """A wrong key is a credentials problem, not an outage: never retried."""
        key = self.key_name.to_text(omit_final_dot=True) if self.key_name is not None else "(none)"
        error = self.error(f"TSIG key {key} rejected by {self.server}: {reason}", ProviderAuthError, status="TSIG")
        return t.cast(ProviderAuthError, error)

    def _check_rcode(self, response: t.Any, allow: tuple[str, ...]) -> t.Any:
        rcode = dns.rcode.to_text(response.rcode())
        if rcode == "NOERROR" or rcode in allow:
            return response
        raise self.error(f"{self.server} answered {rcode}", status=rcode, transient=rcode not in _FINAL_RCODES)

    def _server_address(self) -> str:
        if self._address is None:
            try:
                self._address = _address(self.server, self.port, self.ctx.resolver)
            except (OSError, DnsQueryError) as exc:
                raise self.error(f"cannot resolve server {self.server}: {exc}", transient=False) from None
        return self._address


def _tsig_reason(exc: Exception) -> str:
    """Why the server (or we) turned the signature down, in words."""
    if isinstance(exc, dns.tsig.PeerBadKey):
        return "the server does not know this key (BADKEY)"
    if isinstance(exc, dns.tsig.PeerBadSignature):
        return "the signature does not verify with the server's secret (BADSIG): wrong secret or algorithm"
    if isinstance(exc, dns.tsig.PeerBadTime):
        return "the clocks differ by more than the allowed fudge (BADTIME)"
    if isinstance(exc, dns.tsig.PeerError):
        return f"the server answered a TSIG error ({exc})"
    return f"the answer's signature does not verify with our secret ({type(exc).__name__})"


def _keyring(options: dict[str, t.Any], field: str) -> tuple[t.Any, t.Any]:
    key_name = options.get("key_name")
    if not key_name:
        return None, None
    secret = required(options, "key_secret", field)
    algorithm = options.get("key_algorithm") or "hmac-sha256"
    if algorithm not in ALGORITHMS:
        raise InputError(f"{field}.key_algorithm must be one of {', '.join(ALGORITHMS)}", field=f"{field}.key_algorithm")
    try:
        keyring = dns.tsigkeyring.from_text({key_name: (algorithm, secret)})
    except (ValueError, TypeError, dns.exception.DNSException):
        raise InputError(f"{field}.key_secret is not valid base64", field=f"{field}.key_secret") from None
    return keyring, dns.name.from_text(key_name)


def _address(server: str, port: int, resolver: t.Any) -> str:
    """An IP address for ``server``: as given, or looked up (bootstrap resolvers when we have them)."""
    try:
        return str(ipaddress.ip_address(server))
    except ValueError:
        pass
    if resolver is not None:
        return resolver.addresses(server)[0]
    return socket.getaddrinfo(server, port, proto=socket.IPPROTO_TCP)[0][4][0]


def _txt(value: str) -> t.Any:
    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, [value.encode("utf-8")])


def _rdata(rtype: str, value: str) -> t.Any:
    """An rdata from a value as ``rrsets`` lists it."""
    if rtype == "TXT":
        return _txt(value)
    if rtype == "CNAME":
        value = normalize(value) + "."
    return dns.rdata.from_text(dns.rdataclass.IN, rtype, value)


def _value(rdata: t.Any) -> str:
    """An rdata as ``rrsets`` lists it: TXT joined and unquoted, CNAME targets normalised, others as text."""
    if rdata.rdtype == dns.rdatatype.TXT:
        return _text(rdata)
    if rdata.rdtype == dns.rdatatype.CNAME:
        return normalize(rdata.target.to_text())
    return str(rdata.to_text())


def _text(rdata: t.Any) -> str:
    return b"".join(rdata.strings).decode("utf-8", "replace")
