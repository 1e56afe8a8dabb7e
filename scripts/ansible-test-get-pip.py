# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the pip bootstrap script ansible-test downloads.

ansible-test fetches get-pip.py from a host this build cannot reach and runs it
in each empty sanity virtualenv with pip-install arguments. This does the same
with the interpreter's own ensurepip, then lets pip install from the package
index as usual.
"""

import ensurepip
import os
import subprocess
import sys

# get-pip's own flags that pip install does not know.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null for its own offline install;
# the real install must see the machine's pip configuration (index, CA bundle).
os.environ.pop("PIP_CONFIG_FILE", None)
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade"] + args))
