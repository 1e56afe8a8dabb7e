#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: report_file
short_description: Write a run's report to a file in one step
version_added: 0.2.0
description:
  - Writes O(content) to O(path) whole or not at all (a temporary file in the same directory, then a rename),
    then sets the file's owner, group and mode like every Ansible file module.
  - A dict or a list is written as JSON laid out like the P(ansible.builtin.to_nice_json#filter) filter; a string as it is.
  - One module run where M(ansible.builtin.copy) with O(ansible.builtin.copy#module:content) needs two (a stat, then the copy).
    The renewal role writes its report with it after every run.
  - The directory must exist.
author:
  - portable.dns01 contributors (@portable-dns01)
extends_documentation_fragment:
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: Says whether the file would change, and writes nothing.
  diff_mode:
    support: none
    description: Reports are replaced whole; no diff is shown.
  idempotent:
    support: full
    description: The same content and attributes change nothing.
options:
  path:
    description: The file to write.
    type: path
    required: true
  content:
    description: The report, a dict or a list (written as JSON) or a string (written as it is).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Write the renewal report
  portable.dns01.report_file:
    path: /var/lib/portable-dns01/renewal-report.json
    content: "{{ dns01_renewal_run_report }}"
    mode: "0644"
"""

RETURN = r"""
path:
  description: The file written.
  returned: success
  type: str
  sample: /var/lib/portable-dns01/renewal-report.json
size:
  description: The size of the content in bytes.
  returned: success
  type: int
  sample: 2048
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portable.dns01.plugins.module_utils._common.module import run
from ansible_collections.portable.dns01.plugins.module_utils._state.report_file import write_report


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "content": {"type": "raw", "required": True},
        },
        add_file_common_args=True,
        supports_check_mode=True,
    )
    run(module, lambda: write_report(module, module.check_mode))


if __name__ == "__main__":
    main()
