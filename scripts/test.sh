#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: set-up, the local lab,
# ansible-test sanity, unit tests, lab tests, integration targets, molecule
# scenarios and ansible-lint. Every stage runs; the exit code is non-zero if
# any failed. Stages can be picked: scripts/test.sh units lab-tests
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALL_STAGES=(sanity units lab-tests integration molecule lint awx)
FAILED=()
PASSED=()

log() { printf '\n==> %s\n' "$*"; }

run_stage() {
    local name="$1" start rc
    shift
    log "stage $name"
    start=$(date +%s)
    "$@"
    rc=$?
    log "stage $name: $([ "$rc" -eq 0 ] && echo passed || echo "FAILED (exit $rc)") in $(( $(date +%s) - start )) s"
    if [ "$rc" -eq 0 ]; then PASSED+=("$name"); else FAILED+=("$name"); fi
}

# pytest exits 5 when it collected nothing: that is a failure here.
run_pytest() {
    python -m pytest -p no:cacheprovider "$@"
}

stage_sanity() { "$ROOT/scripts/sanity.sh"; }
stage_units() { run_pytest -q tests/unit; }
stage_lab_tests() { run_pytest -q -m lab tests/integration/lab; }
stage_integration() { "$ROOT/tests/integration/run.sh"; }
stage_molecule() { "$ROOT/scripts/molecule.sh"; }
stage_lint() { ANSIBLE_COLLECTIONS_PATH="$ANSIBLE_COLLECTIONS_PATH:$(awx_collections)" ansible-lint --profile production --strict; }
# The AWX configuration against the real awx.awx modules, and the execution
# environment's build context.
stage_awx() {
    ANSIBLE_COLLECTIONS_PATH="$ANSIBLE_COLLECTIONS_PATH:$(awx_collections)" \
        "$ROOT/.venv-awx/bin/ansible-playbook" --syntax-check "$ROOT/awx/configure.yml" &&
        "$ROOT/scripts/ee-check.sh"
}
awx_collections() { "$ROOT/.venv-awx/bin/python" -c 'import ansible_collections, os; print(os.path.dirname(ansible_collections.__path__[0]))'; }

needs_lab() {
    local stage
    for stage in "$@"; do
        case "$stage" in lab-tests|integration|molecule) return 0 ;; esac
    done
    return 1
}

main() {
    local stages=("$@") started_lab=0 stage
    [ ${#stages[@]} -gt 0 ] || stages=("${ALL_STAGES[@]}")
    "$ROOT/scripts/bootstrap.sh" || exit 1
    # shellcheck source=scripts/env.sh
    . "$ROOT/scripts/env.sh"
    cd "$ROOT" || exit 1
    if needs_lab "${stages[@]}"; then
        "$ROOT/tests/lab/lab.sh" status >/dev/null 2>&1 || started_lab=1
        "$ROOT/tests/lab/lab.sh" up || exit 1
        . "$ROOT/scripts/env.sh"
    fi
    for stage in "${stages[@]}"; do
        run_stage "$stage" "stage_${stage//-/_}"
    done
    [ "$started_lab" -eq 1 ] && [ "${DNS01_KEEP_LAB:-0}" != 1 ] && "$ROOT/tests/lab/lab.sh" down
    log "passed: ${PASSED[*]:-none}; failed: ${FAILED[*]:-none}"
    [ ${#FAILED[@]} -eq 0 ]
}

main "$@"
