# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.portable.dns01.plugins.module_utils._common.errors import DependencyError, PublishError
from ansible_collections.portable.dns01.plugins.module_utils._common.module import require, run


class Exited(Exception):
    pass


class RecordingModule:
    """The two exits of AnsibleModule, recorded instead of leaving the process."""

    def __init__(self):
        self.outcome = None
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)

    def exit_json(self, **kwargs):
        self.outcome = ("exit", kwargs)
        raise Exited()

    def fail_json(self, **kwargs):
        self.outcome = ("fail", kwargs)
        raise Exited()


def run_with(action):
    module = RecordingModule()
    with pytest.raises(Exited):
        run(module, action)
    return module.outcome


def test_success_exits_with_the_result_and_its_duration():
    kind, result = run_with(lambda: {"changed": True})
    assert kind == "exit"
    assert result["changed"] is True
    assert isinstance(result["duration"], float) and result["duration"] >= 0


def test_failure_carries_its_duration_too():
    def action():
        raise PublishError("every provider failed")

    assert run_with(action)[1]["duration"] >= 0


def test_warnings_go_through_module_warn_not_the_result():
    module = RecordingModule()
    with pytest.raises(Exited):
        run(module, lambda: {"changed": False, "warnings": ["provider pdns failed"]})
    assert module.outcome[0] == "exit" and "warnings" not in module.outcome[1]
    assert module.warnings == ["provider pdns failed"]


def test_typed_error_fails_with_its_details():
    def action():
        raise PublishError("every provider failed", attempts=[{"provider": "pdns"}])

    kind, result = run_with(action)
    assert kind == "fail"
    assert result["msg"] == "every provider failed"
    assert result["attempts"] == [{"provider": "pdns"}]
    assert result["error_class"] == "PublishError"


def test_missing_library_names_the_library():
    def action():
        raise DependencyError("dnspython")

    kind, result = run_with(action)
    assert kind == "fail"
    assert "dnspython" in result["msg"]


def test_other_exceptions_are_not_swallowed():
    def action():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run(RecordingModule(), action)


def test_require_fails_only_when_the_import_failed():
    module = RecordingModule()
    require(module, "boto3", None)
    assert module.outcome is None
    with pytest.raises(Exited):
        require(module, "boto3", ImportError("No module named boto3"))
    assert "boto3" in module.outcome[1]["msg"]
