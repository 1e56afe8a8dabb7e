#!/usr/bin/env bash
# Every molecule scenario, on this host (default driver, unmanaged): the roles
# run against the local lab started by tests/lab/lab.sh up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
# Molecule keeps per-scenario state (e.g. "prepared") between runs; start
# every scenario from scratch so prepare always runs.
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || mapfile -t scenarios < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -n1 basename | sort)
for scenario in "${scenarios[@]}"; do molecule reset -s "$scenario" >/dev/null; done

LOG="$ROOT/.build/molecule.log"
mkdir -p "$(dirname "$LOG")"
set +e
if [ $# -gt 0 ]; then
    (status=0; for scenario in "$@"; do molecule test -s "$scenario" || status=1; done; exit "$status") 2>&1 | tee "$LOG"
else
    molecule test --all 2>&1 | tee "$LOG"
fi
rc=${PIPESTATUS[0]}
set -e
"$ROOT/scripts/check-secrets.sh" "$LOG"
exit "$rc"
