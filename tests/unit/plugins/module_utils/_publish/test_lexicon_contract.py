# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the lexicon backend takes from dns-lexicon beyond its public Client.

plugins/module_utils/_publish/lexicon.py imports from ``lexicon._private``,
drives provider classes directly and replaces two private methods of some
providers. A dns-lexicon upgrade may change any of these without notice:
each test here names the piece that changed, so an upgrade fails here first
instead of in a renewal.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import typing as t

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import ProviderTimeout
from ansible_collections.portable.dns01.plugins.module_utils._publish import lexicon as backend
from ansible_collections.portable.dns01.plugins.module_utils._publish.httpcall import CallGuard, guarded

lexicon_discovery = pytest.importorskip("lexicon._private.discovery")
lexicon_config = importlib.import_module("lexicon.config")
lexicon_exceptions = importlib.import_module("lexicon.exceptions")
lexicon_interfaces = importlib.import_module("lexicon.interfaces")

VERSION = lexicon_discovery.lexicon_version()
ZONE = "example.test"
TOKEN = "contract-token"

# Every name the backend imports from dns-lexicon.
IMPORTS = {
    "lexicon._private.discovery": {"find_providers", "load_provider_module"},
    "lexicon.config": {"ConfigResolver"},
    "lexicon.exceptions": {"AuthenticationError", "LexiconError"},
}
# Provider methods the backend calls: name -> [(parameter, default)] after self.
NO_DEFAULT = inspect.Parameter.empty
PROVIDER_METHODS = {
    "authenticate": [],
    "cleanup": [],
    "create_record": [("rtype", NO_DEFAULT), ("name", NO_DEFAULT), ("content", NO_DEFAULT)],
    "list_records": [("rtype", None), ("name", None), ("content", None)],
    "delete_record": [("identifier", None), ("rtype", None), ("name", None), ("content", None)],
}
# Providers whose private CNAME rewriting _absolute_cnames replaces, per instance.
REWRITING = ["powerdns", "devnomads", "rcodezero"]
# Each private method, and the public methods that must call it through self.
REWRITERS = {"_clean_content": ["create_record", "list_records", "delete_record"], "_unclean_content": ["list_records"]}


def changed(what: str, expected: t.Any, found: t.Any) -> str:
    return (f"dns-lexicon {VERSION} changed {what}: the lexicon backend (plugins/module_utils/_publish/lexicon.py) "
            f"expects {expected!r}, found {found!r}")


def params(func: t.Any) -> list[tuple[str, t.Any]]:
    return [(p.name, p.default) for p in inspect.signature(func).parameters.values() if p.name != "self"]


def config(ttl: int | None = 60) -> t.Any:
    settings: dict[str, t.Any] = {"provider_name": "powerdns", "domain": ZONE,
                                  "powerdns": {"auth_token": TOKEN, "pdns_server": "http://127.0.0.1:9", "pdns_server_id": "localhost"}}
    if ttl is not None:
        settings["ttl"] = ttl
    return lexicon_config.ConfigResolver().with_dict(settings)


def powerdns() -> t.Any:
    return lexicon_discovery.load_provider_module("powerdns").Provider(config())


def test_the_backend_imports_only_what_this_contract_covers():
    tree = ast.parse(pathlib.Path(backend.__file__).read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "lexicon":
            found.setdefault(node.module or "", set()).update(alias.name for alias in node.names)
        if isinstance(node, ast.Import):
            assert not [a.name for a in node.names if a.name.split(".")[0] == "lexicon"], "import lexicon modules by name"
    assert found == IMPORTS, "the backend's dns-lexicon imports changed: extend this contract test"


@pytest.mark.parametrize("module, name", [(module, name) for module, names in sorted(IMPORTS.items()) for name in sorted(names)])
def test_imported_names_exist(module, name):
    assert hasattr(importlib.import_module(module), name), changed(f"{module}.{name}", "present", "missing")


def test_find_providers_maps_names():
    assert params(lexicon_discovery.find_providers) == [], changed("find_providers()", [], params(lexicon_discovery.find_providers))
    found = lexicon_discovery.find_providers()
    # The backend tests membership of a provider name.
    for name in ["powerdns", "cloudflare", *REWRITING]:
        assert name in found, changed("find_providers()", f"{name} among the names", sorted(found)[:5])
    assert "not-a-provider" not in found


def test_load_provider_module_gives_a_provider_class():
    expected = [("provider_name", NO_DEFAULT)]
    assert params(lexicon_discovery.load_provider_module) == expected, \
        changed("load_provider_module()", expected, params(lexicon_discovery.load_provider_module))
    provider = lexicon_discovery.load_provider_module("powerdns").Provider
    assert issubclass(provider, lexicon_interfaces.Provider), changed("load_provider_module('powerdns').Provider", "a lexicon.interfaces.Provider", provider)
    with pytest.raises(ImportError):
        lexicon_discovery.load_provider_module("not-a-provider")


def test_authentication_error_is_a_lexicon_error():
    assert issubclass(lexicon_exceptions.AuthenticationError, lexicon_exceptions.LexiconError), \
        changed("AuthenticationError", "a subclass of LexiconError", lexicon_exceptions.AuthenticationError.__mro__)


def test_config_resolver_scopes_our_dictionary():
    resolver = config()
    assert isinstance(resolver, lexicon_config.ConfigResolver), changed("ConfigResolver.with_dict()", "the resolver", resolver)
    for key, value in [("lexicon:provider_name", "powerdns"), ("lexicon:domain", ZONE), ("lexicon:ttl", 60),
                       ("lexicon:powerdns:auth_token", TOKEN)]:
        assert resolver.resolve(key) == value, changed(f"ConfigResolver.resolve({key!r})", value, resolver.resolve(key))


def test_a_provider_takes_zone_and_our_ttl_from_the_resolver():
    api = powerdns()
    assert api.domain == ZONE, changed("Provider(config).domain", ZONE, api.domain)
    # Provider.__init__ adds a default ttl of its own: ours, given first, must win.
    assert api.config.resolve("lexicon:ttl") == 60, changed("the ttl a provider resolves", 60, api.config.resolve("lexicon:ttl"))


@pytest.mark.parametrize("method", sorted(PROVIDER_METHODS))
@pytest.mark.parametrize("provider", ["interfaces", "powerdns"])
def test_provider_methods_keep_their_signatures(provider, method):
    cls = lexicon_interfaces.Provider if provider == "interfaces" else lexicon_discovery.load_provider_module(provider).Provider
    assert callable(getattr(cls, method, None)), changed(f"{provider} Provider.{method}", "present", "missing")
    assert params(getattr(cls, method)) == PROVIDER_METHODS[method], \
        changed(f"{provider} Provider.{method} parameters", PROVIDER_METHODS[method], params(getattr(cls, method)))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inspect.getsource touches lexicon's deprecated modules
@pytest.mark.parametrize("method", sorted(REWRITERS))
@pytest.mark.parametrize("provider", REWRITING)
def test_rewriting_providers_keep_their_private_content_methods(provider, method):
    cls = lexicon_discovery.load_provider_module(provider).Provider
    assert callable(getattr(cls, method, None)), changed(f"{provider} Provider.{method}", "present", "missing")
    expected = [("rtype", NO_DEFAULT), ("content", NO_DEFAULT)]
    assert params(getattr(cls, method)) == expected, changed(f"{provider} Provider.{method} parameters", expected, params(getattr(cls, method)))
    # The replacement is set on the instance: the provider must look the method up through self.
    for caller in REWRITERS[method]:
        source = inspect.getsource(getattr(cls, caller))
        assert f"self.{method}(" in source, changed(f"{provider} Provider.{caller}", f"calls self.{method}()", "no such call")


def test_powerdns_still_rewrites_cname_targets_and_the_replacement_keeps_them_absolute():
    api = powerdns()
    # What the replacement exists for: lexicon appends the zone to a target outside it.
    rewritten = api._clean_content("CNAME", "x.fallback.test")
    assert rewritten == "x.fallback.test.example.test.", changed("powerdns _clean_content('CNAME', ...)", "x.fallback.test.example.test.", rewritten)
    assert api._unclean_content("CNAME", "x.fallback.test.") == "x.fallback.test.example.test"
    backend._absolute_cnames(api)
    assert api._clean_content("CNAME", "x.fallback.test") == "x.fallback.test."
    assert api._unclean_content("CNAME", "x.fallback.test.") == "x.fallback.test"
    # Other types still go through lexicon's own methods.
    assert api._clean_content("TXT", "token") == '"token"'
    assert api._unclean_content("TXT", '"token"') == "token"


def test_provider_requests_go_through_the_thread_guard():
    """httpcall bounds lexicon's requests by wrapping requests.Session.request: no request once the call is over."""
    api = powerdns()
    with guarded(CallGuard(lambda: 0.0, (1.0, 1.0))):
        with pytest.raises(ProviderTimeout, match="request not sent"):
            api.authenticate()
