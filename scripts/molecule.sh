#!/usr/bin/env bash
# Every molecule scenario, on this host (default driver, unmanaged): the roles
# run against the local lab started by tests/lab/lab.sh up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
if [ $# -gt 0 ]; then
    for scenario in "$@"; do molecule test -s "$scenario"; done
else
    molecule test --all
fi
