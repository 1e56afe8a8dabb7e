# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX configuration as code (awx/) and the example inventory hold together.

Credential types inject only what the modules or the example inventory read,
never files; surveys are valid AWX survey specs setting variables a role or
playbook declares; schedules, the workflow and job templates point at things
that exist.
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
AWX = ROOT / "awx"
EXAMPLE = ROOT / "inventories" / "example"
VAULT_PASSWORD = pathlib.Path(__file__).with_name("vault-password.txt")

FIELD_TYPES = {"string", "boolean"}
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
SECRET_WORDS = ("secret", "token", "password", "hmac", "account_key", "accounts_json")
TEMPLATE_REF = re.compile(r"{{\s*([a-z_][a-z0-9_]*)\s*}}")


def load(path: pathlib.Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def credential_types() -> list[dict]:
    return load(AWX / "vars" / "credential_types.yml")["dns01_awx_credential_types"]


def templates() -> dict:
    return load(AWX / "vars" / "job_templates.yml")


def role_variables() -> set[str]:
    names: set[str] = set()
    for spec_file in (ROOT / "roles").glob("*/meta/argument_specs.yml"):
        for entry in load(spec_file)["argument_specs"].values():
            names.update(entry.get("options", {}))
    return names


def playbook_variables(playbook: pathlib.Path) -> set[str]:
    """Play vars, and the public names their private forms read with a default.

    A play variable would override the inventory's, so a playbook declares a
    setting as `_name: "{{ name | default(...) }}"` and reads `_name`.
    """
    names: set[str] = set()
    for play in load(playbook) or []:
        for name, value in (play.get("vars") or {}).items():
            names.add(name)
            public = name.lstrip("_")
            if name != public and re.search(rf"\b{public}\b", str(value)):
                names.add(public)
    return names


def module_env_fallbacks() -> set[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "plugins").rglob("*.py"))
    lists = re.findall(r"env_fallback, \[([^\]]*)\]", text)
    return set(re.findall(r'"([A-Z][A-Z0-9_]+)"', " ".join(lists)))


def example_inventory_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in EXAMPLE.rglob("*.yml"))


@pytest.mark.parametrize("ctype", credential_types(), ids=lambda c: c["name"])
def test_credential_type_is_well_formed(ctype):
    assert ctype["kind"] in {"cloud", "net"}
    fields = ctype["inputs"]["fields"]
    ids = [field["id"] for field in fields]
    assert len(ids) == len(set(ids))
    for field in fields:
        assert field["type"] in FIELD_TYPES and field["label"]
        if any(word in field["id"] for word in SECRET_WORDS):
            assert field.get("secret") is True, f"{field['id']} carries a secret and must be marked secret"
    assert set(ctype["inputs"].get("required", [])) <= set(ids)
    injectors = ctype["injectors"]
    assert set(injectors) <= {"env", "extra_vars"}, "credentials are never written to files"
    for target in injectors.values():
        for value in target.values():
            assert set(TEMPLATE_REF.findall(value)) <= set(ids)


@pytest.mark.parametrize("ctype", credential_types(), ids=lambda c: c["name"])
def test_credential_type_injects_what_is_read(ctype):
    read_from_env = module_env_fallbacks()
    declared = role_variables()
    inventory = example_inventory_text()
    for name in ctype["injectors"].get("env", {}):
        assert not name.startswith("ANSIBLE_")
        assert name in read_from_env or name in inventory, f"nothing reads {name}"
    for name in ctype["injectors"].get("extra_vars", {}):
        assert name in declared or name in inventory, f"nothing reads {name}"


def test_env_fallbacks_are_found():
    # The check above is only as good as this scan.
    assert {"DNS01_TSIG_SECRET", "DNS01_ACME_ACCOUNT_KEY_CONTENT"} <= module_env_fallbacks()


def surveys() -> list[tuple[str, dict, set[str]]]:
    data = templates()
    found = []
    for template in data["dns01_awx_job_templates"]:
        if "survey" in template:
            key = template["survey"].strip("{} ")
            allowed = role_variables() | playbook_variables(ROOT / template["playbook"])
            found.append((template["name"], data[key], allowed))
    return found


@pytest.mark.parametrize("name,survey,allowed", surveys(), ids=lambda v: v if isinstance(v, str) else "")
def test_survey_is_valid_and_sets_declared_variables(name, survey, allowed):
    assert survey["name"] and "description" in survey
    variables = [question["variable"] for question in survey["spec"]]
    assert len(variables) == len(set(variables))
    for question in survey["spec"]:
        assert question["question_name"] and isinstance(question["required"], bool)
        assert question["type"] in SURVEY_TYPES
        if question["type"] in {"multiplechoice", "multiselect"}:
            assert question["default"] in question["choices"]
        if question["type"] == "text":
            assert 0 <= question["min"] <= question["max"]
        assert question["variable"] in allowed, f"{name}: {question['variable']} is declared nowhere"


def test_no_survey_overrides_its_own_template_s_extra_variables():
    """AWX ranks a survey answer above the template's extra variables: a survey must not ask for what the template fixes.

    The dry-run template sets dns01_renewal_dry_run: true; a "Dry run" question answered "false" (its default) would
    turn it into a real renewal.
    """
    data = templates()
    for template in data["dns01_awx_job_templates"]:
        if "survey" in template:
            asked = {question["variable"] for question in data[template["survey"].strip("{} ")]["spec"]}
            assert asked.isdisjoint(template["extra_vars"]), template["name"]


def test_every_template_runs_at_verbosity_0_and_never_beside_itself():
    """docs/awx.md: verbosity 0 keeps output short; one run at a time per template (the lock guards other controllers)."""
    tasks = {next(key for key in task if key.startswith("awx.awx.")): task for task in load(AWX / "configure.yml")[0]["tasks"]
             if any(key.startswith("awx.awx.") for key in task)}
    job, workflow = tasks["awx.awx.job_template"], tasks["awx.awx.workflow_job_template"]
    assert job["loop"] == "{{ dns01_awx_job_templates }}" and "loop" not in workflow
    assert job["awx.awx.job_template"]["verbosity"] == 0
    assert job["awx.awx.job_template"]["allow_simultaneous"] is False
    assert workflow["awx.awx.workflow_job_template"]["allow_simultaneous"] is False


def test_job_templates_run_playbooks_that_exist_with_declared_variables():
    declared = role_variables()
    for template in templates()["dns01_awx_job_templates"]:
        playbook = ROOT / template["playbook"]
        assert playbook.is_file(), template["playbook"]
        assert set(template["extra_vars"]) <= declared | playbook_variables(playbook)


def test_schedules_and_workflow_point_at_templates():
    data = templates()
    jobs = {template["name"] for template in data["dns01_awx_job_templates"]}
    workflow = data["dns01_awx_workflow"]
    for schedule in data["dns01_awx_schedules"]:
        assert re.fullmatch(r"DTSTART:\d{8}T\d{6}Z RRULE:FREQ=(HOURLY|DAILY|WEEKLY|MONTHLY);\S+", schedule["rrule"])
        assert schedule["template"] in jobs | {workflow["name"]}
    identifiers = {node["identifier"] for node in workflow["nodes"]}
    for node in workflow["nodes"]:
        assert node["unified_job_template"]["name"] in jobs
        for related in node.get("related", {}).values():
            assert {entry["identifier"] for entry in related} <= identifiers
    renew = next(node for node in workflow["nodes"] if node["identifier"] == "renew")
    assert [entry["identifier"] for entry in renew["related"]["failure_nodes"]] == ["notify"]


def test_example_inventory_lists_with_the_test_vault_password():
    env = dict(os.environ, ANSIBLE_VAULT_PASSWORD_FILE=str(VAULT_PASSWORD))
    ansible_inventory = pathlib.Path(sys.executable).with_name("ansible-inventory")
    result = subprocess.run([str(ansible_inventory), "-i", str(EXAMPLE / "hosts.yml"), "--list"],
                            capture_output=True, text=True, env=env, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    hostvars = json.loads(result.stdout)["_meta"]["hostvars"]["web1.example.com"]
    assert hostvars["vault_cloudflare_token"].startswith("replace-with")
    catalog = {provider["name"]: provider for provider in hostvars["dns01_renewal_providers"]}
    assert {provider["type"] for provider in catalog.values()} == {"lexicon", "route53", "acme_dns", "rfc2136"}
    for certificate in hostvars["dns01_renewal_certificates"]:
        assert set(certificate["providers"]) <= set(catalog), certificate["id"]


def test_example_inventory_vault_is_encrypted():
    vault = (EXAMPLE / "group_vars" / "certificates" / "vault.yml").read_text(encoding="utf-8")
    assert vault.startswith("$ANSIBLE_VAULT;1.1;AES256")
