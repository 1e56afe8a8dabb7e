# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Variables as a survey or -e give them: a switch given as a string means what it says.

An AWX survey sends its answers as strings ("false", "true"), and so does
`-e name=value` on the command line. Jinja takes every non-empty string for
true, so a role that tests a switch without `| bool` reads "false" as true.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
REAL = "http://127.0.0.1:9/real/directory"
STAGING = "http://127.0.0.1:9/staging/directory"


def renew(tmp_path: pathlib.Path, extra_vars: dict) -> dict:
    """Run renew.yml on localhost against a CA that does not answer; the report it wrote."""
    result = run_renew(tmp_path, extra_vars)
    assert result.returncode != 0, result.stdout
    return json.loads((tmp_path / "report.json").read_text())


def run_renew(tmp_path: pathlib.Path, extra_vars: dict) -> subprocess.CompletedProcess:
    """renew.yml on localhost, one certificate, a CA and a provider that do not answer."""
    inventory = tmp_path / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    (inventory / "host_vars" / "localhost.yml").write_text(yaml.safe_dump({
        "dns01_renewal_directory": REAL,
        "dns01_renewal_dry_run_directory": STAGING,
        "dns01_renewal_account_key_path": str(tmp_path / "account" / "account.key"),
        "dns01_renewal_lock_directory": str(tmp_path / "locks"),
        "dns01_renewal_report_path": str(tmp_path / "report.json"),
        "dns01_renewal_providers": [{"name": "p", "type": "rfc2136", "zone": "example.test",
                                     "rfc2136": {"server": "127.0.0.1", "port": 9}}],
        "dns01_renewal_certificates": [{"id": "c", "names": ["www.example.test"], "providers": ["p"],
                                        "cert_path": str(tmp_path / "certs" / "cert.pem"),
                                        "key_path": str(tmp_path / "certs" / "key.pem")}],
    }))
    command = [sys.executable, "-m", "ansible.cli.playbook", "-i", str(inventory), str(ROOT / "playbooks" / "renew.yml"),
               "-e", json.dumps(extra_vars)]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.mark.parametrize("answer, directory", [("false", REAL), ("true", STAGING)])
def test_a_survey_answer_picks_the_ca_it_names(tmp_path, answer, directory):
    # As the AWX survey of the renew job template sends its answers.
    report = renew(tmp_path, {"dns01_renewal_dry_run": answer, "dns01_renewal_force": "false",
                              "dns01_renewal_preflight": "false"})
    # The CA does not answer: the order fails naming the directory it tried.
    assert report["certificates"][0]["phase"] == "create", report["lines"]
    assert directory in report["certificates"][0]["error"]
    other = STAGING if directory == REAL else REAL
    assert other not in json.dumps(report)


def test_a_variable_of_the_wrong_type_stops_the_run_before_anything_with_no_report(tmp_path):
    """The runbook's one exception to "every run ends with its report": the role's argument check comes first."""
    result = run_renew(tmp_path, {"dns01_renewal_ttl": "sixty"})
    assert result.returncode == 2
    assert "Validating arguments against arg spec 'main'" in result.stdout
    assert "argument 'dns01_renewal_ttl' is of type str and we were unable to convert to int" in result.stdout
    assert not (tmp_path / "report.json").exists() and not (tmp_path / "locks").exists()


CONDITIONS = ("when", "that", "failed_when", "changed_when", "until")
TEMPLATE = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)


def expressions(node, key=None):
    """Every Jinja expression of a parsed YAML file: conditions whole, other strings their {{ }} parts."""
    if isinstance(node, dict):
        for name, value in node.items():
            yield from expressions(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from expressions(value, key)
    elif isinstance(node, str):
        if key in CONDITIONS:
            yield node
        elif not re.fullmatch(r"\{\{\s*[\w.]+\s*\}\}", node.strip()):
            # "{{ switch }}" alone is handed to a module option, which reads "false" as false.
            yield from (first or second for first, second in TEMPLATE.findall(node))


def role_switches(role: pathlib.Path) -> set[str]:
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return {name for entry in spec.values() for name, option in (entry.get("options") or {}).items()
            if option.get("type") == "bool"}


def unconverted(role: pathlib.Path) -> list[str]:
    """Every use of a bool option of the role in an expression, other than through | bool."""
    switches = role_switches(role)
    found = []
    for path in sorted(role.glob("*/*")):
        if path.parent.name not in ("tasks", "vars", "handlers", "templates"):
            continue
        text = path.read_text(encoding="utf-8")
        exprs = ([first or second for first, second in TEMPLATE.findall(text)] if path.suffix == ".j2"
                 else list(expressions(yaml.safe_load(text))))
        for expression in exprs:
            for name in switches:
                for match in re.finditer(rf"\b{name}\b", expression):
                    rest = expression[match.end():]
                    if not re.match(r"\s*(\|\s*default\([^)]*\)\s*)?\|\s*bool\b", rest):
                        found.append(f"{path.relative_to(role.parent)}: {name} without | bool in {expression.strip()!r}")
    return found


@pytest.mark.parametrize("role", sorted((ROOT / "roles").iterdir()), ids=lambda path: path.name)
def test_every_switch_a_role_tests_goes_through_bool(role):
    assert unconverted(role) == []


def test_the_check_finds_a_switch_tested_as_a_string(tmp_path):
    role = tmp_path / "role"
    (role / "meta").mkdir(parents=True)
    (role / "tasks").mkdir()
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump(
        {"argument_specs": {"main": {"options": {"x_on": {"type": "bool"}}}}}))
    (role / "tasks" / "main.yml").write_text(yaml.safe_dump([
        {"name": "a", "debug": {"msg": "{{ 'a' if x_on else 'b' }}"}},
        {"name": "b", "debug": {"msg": "{{ x_on }}"}, "when": "not x_on | bool"},
        {"name": "c", "debug": {"msg": "x"}, "when": ["x_on"]},
    ]))
    assert len(unconverted(role)) == 2
