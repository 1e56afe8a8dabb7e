# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check a renewal's whole inventory before any ACME or DNS call, then settle its directories.

This is a private module_utils file: its API may change without notice.
Every problem is collected, so one run names all of them. Provider
definitions are checked with the very spec dns_challenge_publish applies,
and their secrets (the no_log suboptions of that spec) are handed back so
the module masks them in everything it returns.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
import typing as t

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.portable.dns01.plugins.module_utils._acme.argspec import certificate_account_options, certificate_options
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import KEY_TYPES
from ansible_collections.portable.dns01.plugins.module_utils._common.errors import InputError
from ansible_collections.portable.dns01.plugins.module_utils._publish.argspec import TYPES, provider_spec
from ansible_collections.portable.dns01.plugins.module_utils._renewal.certificates import PATH_KEYS, label, redirect

# Keys of a certificate definition that are not acme_order's: the renewal role's own, and the expiry
# role's `endpoints` (both roles read dns01_renewal_certificates).
ROLE_ONLY_KEYS = ("providers", "hooks", "endpoints")
CERT_KEYS = set(certificate_options()) | set(ROLE_ONLY_KEYS)
ACCOUNT_KEY_ENV = "DNS01_ACME_ACCOUNT_KEY_CONTENT"
POSITIVE = ("ttl", "publish_timeout", "propagation_timeout", "validation_timeout", "publish_connect_timeout",
            "publish_read_timeout", "lock_ttl")
NOT_NEGATIVE = ("lock_wait", "renew_before_days", "publish_retries")
HOOK_KINDS = ("commands", "copy_to", "services")
SERVICE_STATES = ("reloaded", "restarted", "started")
SERVICE_KEYS = {"name", "state"}
COPY_KEYS = {"host", "owner", "group", "mode"}


@dataclasses.dataclass
class Plan:
    """What a check found: problems, secrets to mask, and what the run will use."""

    problems: list[str] = dataclasses.field(default_factory=list)
    secrets: set[str] = dataclasses.field(default_factory=set)
    catalog: dict[str, dict[str, t.Any]] = dataclasses.field(default_factory=dict)
    directories: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, problem: str) -> None:
        self.problems.append(problem)


def collect_secrets(providers: t.Any) -> set[str]:
    """Every secret of the provider definitions, whatever else is wrong with them."""
    plan = Plan()
    for index, provider in enumerate(providers if isinstance(providers, list) else []):
        if isinstance(provider, dict):
            _check_provider(plan, index, provider)
    return plan.secrets


def _check_provider(plan: Plan, index: int, provider: dict[str, t.Any]) -> None:
    name = provider.get("name") or f"providers[{index}]"
    spec = provider_spec()
    validator = ArgumentSpecValidator(spec["options"], required_if=spec["required_if"])
    result = validator.validate(provider)
    plan.secrets.update(str(value) for value in result._no_log_values if value)
    kind = provider.get("type")
    if kind not in TYPES:
        plan.add(f"provider {name}: type {kind!r} is not one of {', '.join(TYPES)}")
    for message in result.errors.messages:
        if "value of type must be one of" not in message:
            plan.add(f"provider {name}: {message}")
    params = result.validated_parameters
    rfc2136 = params.get("rfc2136") or {}
    if kind == "rfc2136" and rfc2136.get("key_name") and not rfc2136.get("key_secret"):
        plan.add(f"provider {name}: rfc2136.key_secret is missing for key {rfc2136['key_name']} "
                 "(set it, or DNS01_TSIG_SECRET on the host)")
    if name in plan.catalog:
        plan.add(f"provider {name}: the name is used twice in dns01_renewal_providers")
    plan.catalog[name] = provider


def _check_catalog(plan: Plan, providers: t.Any) -> None:
    if not isinstance(providers, list):
        plan.add("dns01_renewal_providers must be a list of provider definitions")
        return
    for index, provider in enumerate(providers):
        if not isinstance(provider, dict):
            plan.add(f"dns01_renewal_providers[{index}] is not a dictionary")
            continue
        _check_provider(plan, index, provider)


def _check_certificate(plan: Plan, index: int, cert: t.Any, seen: set[str]) -> None:
    if not isinstance(cert, dict):
        plan.add(f"dns01_renewal_certificates[{index}] is not a dictionary")
        return
    cert_id = label(cert) or f"dns01_renewal_certificates[{index}]"
    where = f"certificate {cert_id}"
    if cert_id in seen:
        plan.add(f"{where}: the id is used twice; give each certificate its own id")
    seen.add(cert_id)
    unknown = sorted(set(cert) - CERT_KEYS)
    if unknown:
        plan.add(f"{where}: unknown keys {', '.join(unknown)}")
    names = cert.get("names")
    if not isinstance(names, list) or not names or not all(isinstance(name, str) and name for name in names):
        plan.add(f"{where}: names must be a non-empty list of DNS names")
    chain = cert.get("providers")
    if not isinstance(chain, list) or not chain:
        plan.add(f"{where}: providers must list at least one provider of dns01_renewal_providers")
    else:
        for name in chain:
            if name not in plan.catalog:
                plan.add(f"{where}: names provider {name!r}, which is not in dns01_renewal_providers "
                         f"(known: {', '.join(sorted(plan.catalog)) or 'none'})")
    if cert.get("key_type", "ec256") not in KEY_TYPES:
        plan.add(f"{where}: key_type {cert.get('key_type')!r} is not one of {', '.join(KEY_TYPES)}")
    for key in ("cert_path", "key_path"):
        if not cert.get(key):
            plan.add(f"{where}: {key} is required")
    _check_account(plan, where, cert.get("account"))
    if "hooks" in cert:
        _check_hooks(plan, where, cert["hooks"])


def _check_account(plan: Plan, where: str, account: t.Any) -> None:
    """A certificate's own account; its key comes from a file, since the plan's result is no place for a key."""
    if account is None:
        return
    if not isinstance(account, dict):
        plan.add(f"{where}: account must be a dictionary")
        return
    unknown = sorted(set(account) - set(certificate_account_options()))
    if unknown:
        plan.add(f"{where}: account has unknown keys {', '.join(unknown)}")
    if account.get("key_content"):
        plan.add(f"{where}: account.key_content is not taken by the renewal role; give account.key_path instead")
    if account.get("key_type") not in (None, *KEY_TYPES):
        plan.add(f"{where}: account.key_type {account.get('key_type')!r} is not one of {', '.join(KEY_TYPES)}")


def _entries(plan: Plan, where: str, hooks: dict[str, t.Any], kind: str) -> list[t.Any]:
    entries = hooks.get(kind)
    if entries is None:
        return []
    if not isinstance(entries, list):
        plan.add(f"{where}: hooks.{kind} must be a list")
        return []
    return entries


def _dict_entries(plan: Plan, where: str, hooks: dict[str, t.Any], kind: str, keys: set[str], required: str,
                  shape: str) -> t.Iterator[tuple[str, dict[str, t.Any]]]:
    """The dictionaries of one hook kind with where each is, once what every kind asks of its entries is checked."""
    for number, entry in enumerate(_entries(plan, where, hooks, kind)):
        at = f"{where}: hooks.{kind}[{number}]"
        if not isinstance(entry, dict):
            plan.add(f"{at} must be a dictionary with {shape}")
            continue
        extra = sorted(set(entry) - keys)
        if extra:
            plan.add(f"{at}: unknown keys {', '.join(map(str, extra))}")
        if not isinstance(entry.get(required), str) or not entry.get(required):
            plan.add(f"{at}: {required} is required")
        yield at, entry


def _check_hooks(plan: Plan, where: str, hooks: t.Any) -> None:
    """What runs after a renewal: services, argv commands, copies to other hosts; nothing else."""
    if not isinstance(hooks, dict):
        plan.add(f"{where}: hooks must be a dictionary of {', '.join(HOOK_KINDS)}")
        return
    unknown = sorted(set(hooks) - set(HOOK_KINDS))
    if unknown:
        plan.add(f"{where}: hooks: unknown hook kinds {', '.join(map(str, unknown))} (known: {', '.join(HOOK_KINDS)})")
    for at, service in _dict_entries(plan, where, hooks, "services", SERVICE_KEYS, "name", "name and state"):
        if service.get("state", "reloaded") not in SERVICE_STATES:
            plan.add(f"{at}: state must be one of {', '.join(SERVICE_STATES)} (got {service.get('state')!r})")
    for number, command in enumerate(_entries(plan, where, hooks, "commands")):
        at = f"{where}: hooks.commands[{number}]"
        argv = [command] if isinstance(command, str) else command
        if not isinstance(argv, list) or not argv or not all(isinstance(arg, str) and arg for arg in argv):
            plan.add(f"{at} must be a program path or a non-empty list of strings")
        elif not os.path.isabs(argv[0]):
            plan.add(f"{at}: the program must be an absolute path (got {argv[0]!r})")
    for at, target in _dict_entries(plan, where, hooks, "copy_to", COPY_KEYS, "host", "host, owner, group and mode"):
        mode = target.get("mode")
        if mode is not None and not (isinstance(mode, str) and mode.isdigit() and set(mode) <= set("01234567")):
            plan.add(f"{at}: mode must be an octal string such as \"0644\" (got {mode!r})")


def _check_settings(plan: Plan, settings: dict[str, t.Any], certificates: list[t.Any]) -> None:
    for key in POSITIVE:
        if key in settings and not _at_least(settings[key], 0, strict=True):
            plan.add(f"dns01_renewal_{key} must be positive (got {settings[key]!r})")
    for key in NOT_NEGATIVE:
        if key in settings and not _at_least(settings[key], 0):
            plan.add(f"dns01_renewal_{key} must not be negative (got {settings[key]!r})")
    strategy = settings.get("strategy", "failover")
    if strategy not in ("failover", "all"):
        plan.add(f"dns01_renewal_strategy must be failover or all (got {strategy!r})")
    chains = [cert.get("providers") for cert in certificates if isinstance(cert, dict) and isinstance(cert.get("providers"), list)]
    shortest = min((len(chain) for chain in chains if chain), default=1)
    min_success = _number(settings.get("min_success", 1))
    if strategy == "all" and not 1 <= min_success <= shortest:
        plan.add(f"dns01_renewal_min_success must be between 1 and the length of the shortest provider list ({shortest})")
    unknown = sorted(set(settings.get("simulate_outage") or []) - set(plan.catalog))
    if unknown:
        plan.add(f"dns01_renewal_simulate_outage names providers not in dns01_renewal_providers: {', '.join(unknown)}")
    backend = settings.get("lock_backend", "file")
    if backend not in ("file", "redis", "none"):
        plan.add(f"dns01_renewal_lock_backend must be file, redis or none (got {backend!r})")
    if backend == "redis" and not (settings.get("lock_redis_url") or os.environ.get("DNS01_REDIS_URL")):
        plan.add("dns01_renewal_lock_redis_url is required with dns01_renewal_lock_backend=redis")


def _at_least(value: t.Any, bound: float, strict: bool = False) -> bool:
    """Whether ``value`` is a number above (``strict``) or at least ``bound``; text that is no number is not."""
    number = _number(value)
    if math.isnan(number):
        return False
    return number > bound if strict else number >= bound


def _number(value: t.Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _nearest_existing(path: str) -> str:
    while path and not os.path.lexists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path or "/"


def _writable_dir(path: str) -> bool:
    """Whether a file can be made in ``path``: access() lets root through everything, so try it."""
    if not os.path.isdir(path) or not os.access(path, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".dns01-check-"):
            return True
    except OSError:
        return False


def _check_directory(plan: Plan, what: str, directory: str, mode: int | None, create: bool) -> None:
    """``directory`` exists and is writable, or can be created (with ``mode``; None: by someone else)."""
    if os.path.isdir(directory):
        if not _writable_dir(directory):
            plan.add(f"{what}: the directory {directory} is not writable")
        return
    existing = _nearest_existing(directory)
    if not os.path.isdir(existing):
        plan.add(f"{what}: {existing} is not a directory")
    elif not create:
        plan.add(f"{what}: the directory {directory} is missing (dns01_renewal_create_directories is off)")
    elif not _writable_dir(existing):
        plan.add(f"{what}: cannot create {directory}, {existing} is not writable")
    elif mode is not None:
        plan.directories.setdefault(directory, mode)


def _check_file(plan: Plan, what: str, path: t.Any, mode: int, create: bool) -> None:
    if not isinstance(path, str) or not os.path.isabs(path):
        plan.add(f"{what}: {path!r} is not an absolute path")
        return
    if os.path.isdir(path):
        plan.add(f"{what}: {path} is a directory")
    elif os.path.exists(path) and not os.access(path, os.W_OK):
        plan.add(f"{what}: {path} is not writable")
    else:
        _check_directory(plan, what, os.path.dirname(path), mode, create)


def _check_destinations(plan: Plan, certificates: list[t.Any], options: dict[str, t.Any]) -> None:
    create = bool(options.get("create_directories", True))
    if not options.get("dry_run"):
        for cert in certificates:
            if isinstance(cert, dict):
                for key in PATH_KEYS:
                    if cert.get(key):
                        _check_file(plan, f"certificate {label(cert)}: {key} {cert[key]}", cert[key], 0o755, create)
    for cert in certificates:
        account = cert.get("account") if isinstance(cert, dict) else None
        if isinstance(account, dict) and account.get("key_path"):
            _check_file(plan, f"certificate {label(cert)}: account key {account['key_path']}", account["key_path"],
                        0o700, create)
    if options.get("account_key_path") and not account_key_from_env():
        _check_file(plan, f"account key {options['account_key_path']}", options["account_key_path"], 0o700, create)
    settings = options.get("settings") or {}
    if settings.get("lock_backend", "file") == "file" and settings.get("lock_directory") and certificates:
        # run_lock makes its own directory, with the mode it insists on.
        _check_directory(plan, f"lock directory {settings['lock_directory']}", settings["lock_directory"], None, True)
    if options.get("report_path"):
        _check_file(plan, f"report {options['report_path']}", options["report_path"], 0o755, create)


def account_key_from_env() -> bool:
    """Whether the account key comes from the environment, as an AWX credential sets it."""
    return bool(os.environ.get(ACCOUNT_KEY_ENV))


def check(options: dict[str, t.Any]) -> Plan:
    """Every problem of the inventory; nothing is written."""
    plan = Plan()
    certificates = options.get("certificates")
    _check_catalog(plan, options.get("providers"))
    if not isinstance(certificates, list):
        plan.add("dns01_renewal_certificates must be a list")
        return plan
    seen: set[str] = set()
    for index, cert in enumerate(certificates):
        _check_certificate(plan, index, cert, seen)
    _check_settings(plan, options.get("settings") or {}, certificates)
    _check_destinations(plan, certificates, options)
    return plan


def make_directories(directories: dict[str, int]) -> list[str]:
    """Create the missing directories, parents first, each with its mode. Existing ones are never touched."""
    created = []
    for directory, mode in sorted(directories.items()):
        missing = []
        path = directory
        while not os.path.isdir(path):
            missing.append(path)
            path = os.path.dirname(path)
        for path in reversed(missing):
            os.mkdir(path, mode)
            os.chmod(path, mode)
            created.append(path)
    return created


def order_definitions(certificates: list[dict[str, t.Any]], dest: str | None) -> list[dict[str, t.Any]]:
    """acme_order certificate definitions: without the role's keys; with ``dest``, every file in that directory."""
    result = []
    for cert in certificates:
        definition = {key: value for key, value in cert.items() if key not in ROLE_ONLY_KEYS}
        result.append(redirect(definition, dest) if dest else definition)
    return result


def checked(options: dict[str, t.Any]) -> Plan:
    """The plan of an inventory without problems; InputError lists every problem of one that has some."""
    plan = check(options)
    if plan.problems:
        count = len(plan.problems)
        raise InputError(f"{count} problem{'s' if count > 1 else ''} in the renewal inventory, nothing was ordered "
                         f"or published: " + "; ".join(plan.problems), problems=plan.problems)
    return plan


def settle(options: dict[str, t.Any], check_mode: bool, plan: Plan | None = None) -> dict[str, t.Any]:
    """Check (unless ``plan`` is the check's result), then (not in check mode) create missing directories
    and the dry run's directory."""
    plan = plan or checked(options)
    certificates = options["certificates"]
    created = [] if check_mode else make_directories(plan.directories)
    dest = None
    if options.get("dry_run") and certificates and not check_mode:
        dest = tempfile.mkdtemp(suffix=".dns01-dry-run")
    return {
        "changed": bool(created) or bool(dest),
        "certificates": order_definitions(certificates, dest),
        "chains": {label(cert): list(cert["providers"]) for cert in certificates},
        "dry_run_dir": dest,
        "account_key_from_env": account_key_from_env(),
        "created_directories": created,
    }
