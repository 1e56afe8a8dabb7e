# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Amazon Route 53 through boto3, optionally with an STS assumed role.

This is a private module_utils file: its API may change without notice.
Route 53 stores a TXT record set as one unit. Every change is one batch
that DELETEs the set exactly as it was read (TTL and every value) and
CREATEs the new one, so a batch built on a set another writer changed in
between is refused as a whole instead of dropping that writer's value; the
set is then read again and the change retried, with jittered backoff,
within the call's deadline.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Backoff
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import (
    DependencyError,
    Dns01Error,
    ProviderAuthError,
    ProviderError,
    ProviderTimeout,
)
from ansible_collections.portable.dns01.plugins.module_utils._publish.httpcall import check_guard, run_bounded
from ansible_collections.portable.dns01.plugins.module_utils._publish.names import in_zone, normalize
from ansible_collections.portable.dns01.plugins.module_utils._publish.provider import Context, Provider


_TRANSIENT_CODES = {"Throttling", "ThrottlingException", "PriorRequestNotComplete", "ServiceUnavailable",
                    "InternalError", "InternalFailure", "RequestLimitExceeded"}
_AUTH_CODES = {"AccessDenied", "AccessDeniedException", "InvalidClientTokenId", "SignatureDoesNotMatch",
               "ExpiredToken", "UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure"}
# How Route 53 words a change batch whose DELETE or CREATE no longer fits the stored set.
_MAX_CONFLICTS = 10
_CONFLICTS = ("already exists", "but it was not found", "do not match")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
# Seconds between GetChange polls while a change is PENDING (botocore's own default for this waiter is 30).
INSYNC_DELAY = 10.0


def _aws() -> tuple[t.Any, t.Any]:
    """boto3 and botocore, imported when a Route 53 provider is built: calls without one do not pay for them."""
    try:
        # pylint: disable=import-outside-toplevel
        import boto3
        import botocore.config
        import botocore.exceptions
        import botocore.session
    except ImportError as exc:
        raise DependencyError("boto3", exception=str(exc)) from None
    return boto3, botocore


class Route53Provider(Provider):
    """A Route 53 hosted zone, by id or by name (longest match when neither is given)."""

    type_name = "route53"
    can_cname = True

    def __init__(self, name: str, ctx: Context, options: dict[str, t.Any], zone: str | None = None,
                 retries: int | None = None) -> None:
        super().__init__(name, ctx, options, zone or options.get("zone_name"), retries)
        self.boto3, self.botocore = _aws()
        self.private = bool(options.get("private_zone"))
        self.secrets = [str(options.get(key) or "") for key in ("secret_key", "session_token")]
        self._api: t.Any = None
        self._api_timeouts: tuple[float, float] | None = None
        self._boto_session: tuple[t.Any, t.Any] | None = None
        self._role_credentials: dict[str, t.Any] | None = None
        self._zone_ids: dict[str, str] = {}

    def publish(self, name: str, values: set[str], ttl: int) -> None:
        self._rewrite(name, lambda current: current | values, ttl)

    def remove(self, name: str, values: set[str]) -> None:
        self._rewrite(name, lambda current: current - values)

    def list(self, name: str) -> set[str]:
        return _txt(self._record_set(self._zone_id(name), name))

    def _rewrite(self, name: str, change: t.Callable[[set[str]], set[str]], ttl: int | None = None) -> None:
        """Read the set, write ``change(values)`` in place of exactly that set; read again when another writer won."""
        zone_id = self._zone_id(name)
        backoff = Backoff(base=0.2, cap=2.0)
        for attempt in range(_MAX_CONFLICTS):
            old = self._record_set(zone_id, name)
            wanted = change(_txt(old))
            if wanted == _txt(old):
                return
            new = None
            if wanted:
                ttl_new = ttl or (old or {}).get("TTL") or 60
                new = {"Name": name, "Type": "TXT", "TTL": ttl_new, "ResourceRecords": [{"Value": quote(v)} for v in sorted(wanted)]}
            try:
                self._submit(zone_id, _replace(old, new))
                return
            except ProviderError as exc:
                if exc.details.get("code") != "InvalidChangeBatch" or not any(text in exc.msg for text in _CONFLICTS):
                    raise
                delay = backoff.delay(attempt)
                if delay >= self.ctx.deadline.remaining():
                    break
                self.ctx.clock.sleep(delay)
        raise self.error(f"the TXT set at {name} was changed by another writer at each try", status="InvalidChangeBatch")

    def rrsets(self, name: str) -> dict[str, list[str]]:
        return {record_set["Type"]: sorted(_values(record_set)) for record_set in self._record_sets(self._zone_id(name), name)}

    def set_cname(self, name: str, target: str, ttl: int) -> None:
        record_set = {"Name": name, "Type": "CNAME", "TTL": ttl, "ResourceRecords": [{"Value": normalize(target) + "."}]}
        self._submit(self._zone_id(name), [{"Action": "UPSERT", "ResourceRecordSet": record_set}])

    def delete_rrset(self, name: str, rtype: str, values: list[str]) -> None:
        """A DELETE must repeat the record set exactly (TTL, every value): send it as Route 53 returned it."""
        zone_id = self._zone_id(name)
        for record_set in self._record_sets(zone_id, name):
            if record_set["Type"] != rtype or not set(_values(record_set)) & set(values):
                continue
            rest = [item for item in record_set.get("ResourceRecords", []) if _value(rtype, item["Value"]) not in values]
            self._submit(zone_id, _replace(record_set, {**record_set, "ResourceRecords": rest} if rest else None))

    def check_health(self) -> None:
        if self.options.get("zone_id"):
            self._call("get_hosted_zone", Id=self.options["zone_id"])
        else:
            self._call("list_hosted_zones", MaxItems="1")

    def _zone_id(self, name: str) -> str:
        if self.options.get("zone_id"):
            return str(self.options["zone_id"]).rsplit("/", 1)[-1]
        key = self.zone or name
        if key not in self._zone_ids:
            self._zone_ids[key] = self._find_zone(name)
        return self._zone_ids[key]

    def _find_zone(self, name: str) -> str:
        """The hosted zone whose name is the longest suffix of ``name`` (or equals ``zone_name``)."""
        fits = [zone for zone in self._hosted_zones()
                if zone["Config"].get("PrivateZone", False) == self.private
                and (normalize(zone["Name"]) == self.zone if self.zone else in_zone(name, zone["Name"]))]
        if not fits:
            kind = "private" if self.private else "public"
            raise self.error(f"no {kind} hosted zone holds {self.zone or name}", transient=False, status="NoSuchHostedZone")
        return max(fits, key=lambda zone: len(normalize(zone["Name"])))["Id"].rsplit("/", 1)[-1]

    def _hosted_zones(self) -> list[dict[str, t.Any]]:
        zones: list[dict[str, t.Any]] = []
        marker: dict[str, str] = {}
        while True:
            page = self._call("list_hosted_zones", **marker)
            zones.extend(page.get("HostedZones", []))
            if not page.get("IsTruncated"):
                return zones
            marker = {"Marker": page["NextMarker"]}

    def _record_set(self, zone_id: str, name: str) -> dict[str, t.Any] | None:
        """The TXT set at ``name`` as Route 53 returned it (a DELETE must repeat it exactly), or None."""
        page = self._call("list_resource_record_sets", HostedZoneId=zone_id, StartRecordName=name,
                          StartRecordType="TXT", MaxItems="1")
        for record_set in page.get("ResourceRecordSets", []):
            if normalize(record_set["Name"]) == normalize(name) and record_set["Type"] == "TXT":
                return record_set
        return None

    def _record_sets(self, zone_id: str, name: str) -> list[dict[str, t.Any]]:
        """Every record set at ``name``: they sort together, so the first page from ``name`` holds them."""
        page = self._call("list_resource_record_sets", HostedZoneId=zone_id, StartRecordName=name, MaxItems="20")
        return [record_set for record_set in page.get("ResourceRecordSets", []) if normalize(record_set["Name"]) == normalize(name)]

    def _submit(self, zone_id: str, changes: list[dict[str, t.Any]]) -> None:
        batch = {"Comment": "portable.dns01 DNS-01 challenge", "Changes": changes}
        info = self._call("change_resource_record_sets", HostedZoneId=zone_id, ChangeBatch=batch)["ChangeInfo"]
        if self.options.get("wait_insync", True):
            self._wait_insync(info["Id"], info.get("Status"))

    def _wait_insync(self, change_id: str, status: str | None) -> None:
        """botocore's ``resource_record_sets_changed`` waiter, its polls fitted into what is left of the deadline."""
        if status == "INSYNC":
            return
        start, remaining = self.ctx.clock.monotonic(), self.ctx.deadline.remaining()
        if remaining <= 0:
            raise self.error(f"change {change_id} still {status} at the deadline, after 0.0s", ProviderTimeout)
        config = waiter_config(remaining)
        try:
            self._bounded(lambda: self._client().get_waiter("resource_record_sets_changed").wait(Id=change_id, WaiterConfig=config))
        except self.botocore.exceptions.WaiterError as exc:
            response = exc.last_response or {}
            if "Error" in response:
                raise self._map_client_error(self.botocore.exceptions.ClientError(response, "GetChange")) from None
            status = response.get("ChangeInfo", {}).get("Status", status)
            waited = self.ctx.clock.monotonic() - start
            raise self.error(f"change {change_id} still {status} at the deadline, after {waited:.1f}s", ProviderTimeout) from None

    def _call(self, method: str, **kwargs: t.Any) -> t.Any:
        """One API call, STS included when the session is new, all of it within the call's deadline."""
        return self._bounded(lambda: getattr(self._client(), method)(**kwargs))

    def _bounded(self, action: t.Callable[[], t.Any]) -> t.Any:
        """``action`` within the call's deadline, its failures as ProviderErrors (a waiter's give-up passes through)."""
        try:
            return run_bounded(action, self.ctx.deadline.remaining, self.ctx.timeouts())
        except Dns01Error as exc:
            exc.details["provider"] = self.name
            raise
        except self.botocore.exceptions.WaiterError:
            raise
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise self._map(exc) from None

    def _client(self) -> t.Any:
        """A route53 client whose socket time-outs end within the deadline: rebuilt when less time is left than they allow."""
        timeouts = self.ctx.timeouts()
        if self._api is None or self._api_timeouts and (self._api_timeouts[0] > timeouts[0] or self._api_timeouts[1] > timeouts[1]):
            credentials = self._credentials()
            self._api, self._api_timeouts = self._new_client("route53", self.options.get("endpoint_url"), **credentials)
        return self._api

    def _new_client(self, service: str, endpoint: str | None, **credentials: t.Any) -> tuple[t.Any, tuple[float, float]]:
        """A client with botocore's retries off and time-outs measured after its model is loaded (that takes time too)."""
        core, session = self._session()
        core.get_service_model(service)
        timeouts = self.ctx.timeouts()
        config = self.botocore.config.Config(connect_timeout=timeouts[0], read_timeout=timeouts[1], retries={"total_max_attempts": 1})
        client = session.client(service, endpoint_url=endpoint, config=config, **credentials)
        client.meta.events.register("before-send", check_guard)
        return client, timeouts

    def _session(self) -> tuple[t.Any, t.Any]:
        """One botocore session (its loader caches service models) and the boto3 session over it."""
        if self._boto_session is None:
            keys = {"aws_access_key_id": self.options.get("access_key"), "aws_secret_access_key": self.options.get("secret_key"),
                    "aws_session_token": self.options.get("session_token")}
            if self.options.get("profile"):
                # A named profile brings its own credentials: keys (perhaps from the environment) do not mix in.
                keys = {"profile_name": self.options["profile"]}
            keys["region_name"] = self.options.get("region")
            core = self.botocore.session.Session()
            self._boto_session = core, self.boto3.session.Session(botocore_session=core, **{k: v for k, v in keys.items() if v})
        return self._boto_session

    def _credentials(self) -> dict[str, t.Any]:
        """Client arguments for the assumed role, or none for the session's own credentials."""
        if not self.options.get("role_arn"):
            return {}
        if self._role_credentials is None:
            credentials = self._assume_role()
            self._role_credentials = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
                                      "aws_session_token": credentials["SessionToken"]}
        return self._role_credentials

    def _assume_role(self) -> dict[str, t.Any]:
        sts = self._new_client("sts", self.options.get("sts_endpoint_url"))[0]
        request = {"RoleArn": self.options["role_arn"], "RoleSessionName": self.options.get("role_session_name") or "portable-dns01",
                   "DurationSeconds": int(self.options.get("duration_seconds") or 900)}
        if self.options.get("external_id"):
            request["ExternalId"] = self.options["external_id"]
        credentials = sts.assume_role(**request)["Credentials"]
        self.secrets.extend([credentials["SecretAccessKey"], credentials["SessionToken"]])
        return credentials

    def _map(self, exc: Exception) -> ProviderError:
        exceptions = self.botocore.exceptions
        if isinstance(exc, exceptions.ClientError):
            return self._map_client_error(exc)
        if isinstance(exc, exceptions.NoCredentialsError):
            return self.error(f"no AWS credentials: {exc}", ProviderAuthError)
        if isinstance(exc, exceptions.ConnectTimeoutError):
            return self.error(f"connect timed out: {exc}", ProviderTimeout, reason="unreachable")
        if isinstance(exc, exceptions.ReadTimeoutError):
            return self.error(f"timed out: {exc}", ProviderTimeout)
        if isinstance(exc, exceptions.EndpointConnectionError):
            return self.error(f"{type(exc).__name__}: {exc}", transient=False, reason="unreachable")
        return self.error(f"{type(exc).__name__}: {exc}")

    def _map_client_error(self, exc: t.Any) -> ProviderError:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        msg = f"{code}: {exc.response.get('Error', {}).get('Message', '')}".strip()
        if code in _AUTH_CODES:
            return self.error(msg, ProviderAuthError, status=status, code=code)
        transient = code in _TRANSIENT_CODES or (status or 0) >= 500
        return self.error(msg, status=status, transient=transient, code=code)


def waiter_config(remaining: float) -> dict[str, t.Any]:
    """Delay and MaxAttempts for a waiter that must give up within ``remaining`` seconds.

    The polls are INSYNC_DELAY apart, closer when less than four of them would
    fit; the last poll starts at least one delay before the deadline, which
    leaves that delay for the call itself.
    """
    delay = min(INSYNC_DELAY, remaining / 4)
    return {"Delay": delay, "MaxAttempts": max(1, int(remaining // delay))}


def _replace(old: dict[str, t.Any] | None, new: dict[str, t.Any] | None) -> list[dict[str, t.Any]]:
    """One batch: DELETE the set as read, CREATE the new one; applied together or not at all."""
    changes = [{"Action": "DELETE", "ResourceRecordSet": old}] if old else []
    return changes + ([{"Action": "CREATE", "ResourceRecordSet": new}] if new else [])


def _txt(record_set: dict[str, t.Any] | None) -> set[str]:
    return {unquote(item["Value"]) for item in (record_set or {}).get("ResourceRecords", [])}


def quote(value: str) -> str:
    """A TXT value in Route 53's presentation form."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unquote(value: str) -> str:
    """The value Route 53 returns, quoted and possibly split into strings, as one string."""
    parts = _QUOTED.findall(value)
    if not parts:
        return value
    return "".join(re.sub(r"\\(.)", r"\1", part) for part in parts)


def _value(rtype: str, value: str) -> str:
    """A value as ``rrsets`` lists it: TXT unquoted, CNAME targets normalised."""
    if rtype == "TXT":
        return unquote(value)
    return normalize(value) if rtype == "CNAME" else value


def _values(record_set: dict[str, t.Any]) -> list[str]:
    if "AliasTarget" in record_set:
        return ["ALIAS " + normalize(record_set["AliasTarget"].get("DNSName", ""))]
    return [_value(record_set["Type"], item["Value"]) for item in record_set.get("ResourceRecords", [])]
