# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The documents name files and tests that exist: a promise is only as good as the test it cites."""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
TOP = ("playbooks/", "roles/", "scripts/", "plugins/", "tests/", "awx/", "inventories/", "docs/", "bench/", "meta/",
       "molecule/", ".ci/")
SPAN = re.compile(r"`([^`\n]+)`")
TEST_FILE = re.compile(r"^(?P<file>[\w./-]*test_\w+\.py)(?:::(?P<name>test_\w+))?")
CONTINUED = re.compile(r"^::(?P<name>test_\w+)")
BARE = re.compile(r"^(?P<name>test_\w+)(?:\[[^\]]*\])?$")


def spans(document: pathlib.Path) -> list[tuple[int, list[str]]]:
    """Backticked spans per line (a table row is one line)."""
    lines = document.read_text(encoding="utf-8").splitlines()
    return [(number, SPAN.findall(line)) for number, line in enumerate(lines, 1)]


def all_test_files() -> list[pathlib.Path]:
    return sorted(path for path in (ROOT / "tests").rglob("test_*.py") if "state" not in path.parts)


def resolve(name: str) -> pathlib.Path | None:
    """A path from the root, or a file name unique under tests/."""
    if (ROOT / name).is_file():
        return ROOT / name
    found = [path for path in all_test_files() if path.name == pathlib.Path(name).name]
    return found[0] if len(found) == 1 else None


def defines(path: pathlib.Path, name: str) -> bool:
    return re.search(rf"^def {re.escape(name)}\(", path.read_text(encoding="utf-8"), re.MULTILINE) is not None


def defined_anywhere(name: str) -> bool:
    return any(defines(path, name) for path in all_test_files())


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_named_test_exists(document):
    missing = []
    for number, found in spans(document):
        current = None
        for span in found:
            text = span.strip()
            if match := TEST_FILE.match(text):
                current = resolve(match["file"])
                if current is None:
                    missing.append(f"{document.name}:{number}: no test file {match['file']}")
                elif match["name"] and not defines(current, match["name"]):
                    missing.append(f"{document.name}:{number}: {current.relative_to(ROOT)} has no {match['name']}")
            elif match := CONTINUED.match(text):
                if current is None or not defines(current, match["name"]):
                    missing.append(f"{document.name}:{number}: no {match['name']} in the file named before it")
            elif (match := BARE.match(text)) and not defined_anywhere(match["name"]):
                missing.append(f"{document.name}:{number}: no test {match['name']} under tests/")
    assert missing == []


# Made by the tools, not kept in git: the lab's state (lab.sh up), the test command's logs, bench results.
GENERATED = ("tests/lab/state/", ".build/", "bench/results/")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_named_path_exists(document):
    missing = []
    for number, found in spans(document):
        for span in found:
            text = span.split("::")[0].strip()
            words = text.split()
            if not words or not words[0].startswith(TOP) or any(mark in words[0] for mark in "<>…*{$"):
                continue
            path = words[0].rstrip(".,:;")
            if path.startswith(GENERATED):
                continue
            if not (ROOT / path).exists():
                missing.append(f"{document.name}:{number}: {path}")
    assert missing == []


def makefile_recipes() -> dict[str, list[str]]:
    recipes: dict[str, list[str]] = {}
    target = None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith("\t") and target:
            recipes[target].append(line.strip())
        elif match := re.match(r"^([\w -]+):(?!=)", line):
            names = match[1].split()
            target = names[0] if len(names) == 1 else None
            if target:
                recipes[target] = []
    return recipes


def test_the_readme_commands_are_what_make_and_ci_run():
    """README's quick start: `make demo` runs scripts/demo.sh, `make test` scripts/test.sh, and CI runs `make test`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in quick.strip().splitlines()]
    assert commands[:2] == ["make demo", "make test"]
    recipes = makefile_recipes()
    assert recipes["demo"] == ["scripts/demo.sh"] and recipes["test"] == ["scripts/test.sh"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
    assert ci[-1] == "exec make test"
    # Every stage the README lists is one scripts/test.sh knows, and the other way round.
    stages = re.search(r"^ALL_STAGES=\(([^)]*)\)", (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8"), re.MULTILINE)
    listed = re.search(r"picks stages \(([^)]*)\)", readme.replace("\n", " "))
    assert listed and stages
    assert [name.strip() for name in listed[1].split(",")] == stages[1].split()


VARIABLE = re.compile(r"\b(dns01_[a-z0-9_]*[a-z0-9]|DNS01_[A-Z0-9_]*[A-Z0-9])\b(?!\*)")
CODE = ("roles", "playbooks", "awx", "plugins", "inventories", "scripts")


def code_text() -> str:
    texts = []
    for top in CODE:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix in (".yml", ".yaml", ".py", ".j2", ".sh"):
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_named_variable_is_in_the_code(document):
    """A variable (or environment variable) the documents name that no role, playbook, module or script knows is stale."""
    code = code_text()
    named = {name for _number, found in spans(document) for span in found for name in VARIABLE.findall(span)
             if not span.startswith(("dns01/", "_dns01"))}
    assert sorted(name for name in named if not re.search(rf"\b{name}\b", code)) == []
