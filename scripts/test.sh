#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: set-up, the local lab,
# ansible-test sanity, unit tests, lab tests, integration targets, molecule
# scenarios, ansible-lint and the module documentation. Every stage runs; the
# exit code is non-zero if any failed. Stages can be picked:
#   scripts/test.sh units lab-tests
# Each stage's output goes to .build/logs/STAGE.log; the screen shows the
# stage, its result and its time, and the log's tail when it fails.
# DNS01_VERBOSE=1 shows every stage's output as it runs.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOGS="$ROOT/.build/logs"
ALL_STAGES=(sanity units lab-tests integration molecule lint docs awx)
# What the tools must never create: a copy of the collection there would
# shadow the working tree in every later run.
HOME_COPY="$HOME/.ansible/collections/ansible_collections/portable"
TAIL_LINES=40
FAILED=()
PASSED=()

say() { printf '%s\n' "$*"; }

# quietly NAME WHAT COMMAND...: run COMMAND with its output in LOGS/NAME.log;
# print WHAT before, the result and time after, the log's tail on failure.
quietly() {
    local name="$1" what="$2" log="$LOGS/$1.log" start rc
    shift 2
    start=$SECONDS
    printf '==> %-12s %s ... ' "$name" "$what"
    if [ "${DNS01_VERBOSE:-0}" = 1 ]; then
        printf '\n'
        "$@" 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
    else
        "$@" >"$log" 2>&1 </dev/null
        rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        say "passed in $((SECONDS - start)) s"
    else
        say "FAILED (exit $rc) in $((SECONDS - start)) s"
        if grep -qE '^(ERROR|FATAL|FAILED)' "$log"; then
            say "    error lines of $log:"
            grep -E '^(ERROR|FATAL|FAILED)' "$log" | head -n 20 | sed 's/^/    /'
        fi
        say "    last $TAIL_LINES lines of $log:"
        tail -n "$TAIL_LINES" "$log" | sed 's/^/    /'
    fi
    return "$rc"
}

run_stage() {
    local name="$1" what="$2"
    shift 2
    if quietly "$name" "$what" "$@"; then PASSED+=("$name"); else FAILED+=("$name"); fi
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
stage_docs() { "$ROOT/scripts/doc.sh" --check; }
# The AWX configuration against the real awx.awx modules, and the execution
# environment's build context.
stage_awx() {
    ANSIBLE_COLLECTIONS_PATH="$ANSIBLE_COLLECTIONS_PATH:$(awx_collections)" \
        "$ROOT/.venv-awx/bin/ansible-playbook" --syntax-check "$ROOT/awx/configure.yml" &&
        "$ROOT/scripts/ee-check.sh"
}
awx_collections() { env -u PYTHONPATH "$ROOT/.venv-awx/bin/python" -c 'import ansible_collections, os; print(os.path.dirname(ansible_collections.__path__[0]))'; }

describe() {
    case "$1" in
        sanity-venvs)
            # ansible-test keeps a virtualenv per sanity test in its cache.
            if [ -d "$HOME/.ansible/test/venv" ]; then
                echo "ansible-test's virtualenvs for sanity"
            else
                echo "ansible-test's virtualenvs for sanity (first run: pip install of its test requirements, several minutes)"
            fi
            ;;
        sanity) echo "ansible-test sanity" ;;
        units) echo "unit tests" ;;
        lab-tests) echo "tests against the local lab" ;;
        integration) echo "integration targets (ansible-playbook on the lab)" ;;
        molecule) echo "molecule scenarios of the roles" ;;
        lint) echo "ansible-lint, production profile" ;;
        docs) echo "ansible-doc renders every module and role" ;;
        awx) echo "AWX configuration against awx.awx, execution environment build context" ;;
        *) echo "$1" ;;
    esac
}

needs_lab() {
    local stage
    for stage in "$@"; do
        case "$stage" in lab-tests|integration|molecule) return 0 ;; esac
    done
    return 1
}

check_stages() {
    local stage
    for stage in "$@"; do
        case " ${ALL_STAGES[*]} " in
            *" $stage "*) ;;
            *) say "unknown stage '$stage' (stages: ${ALL_STAGES[*]})" >&2; exit 2 ;;
        esac
    done
}

# Only lint and awx use the AWX virtualenv (awx.awx, ansible-builder): the
# other stages neither build it nor need the network for it.
needs_awx() {
    local stage
    for stage in "$@"; do
        case "$stage" in awx|lint) return 0 ;; esac
    done
    return 1
}

setup_message() {
    local what="Debian packages, virtualenv" first=()
    [ -x "$ROOT/.venv/bin/python" ] || first+=("pip install of requirements-dev.txt")
    if needs_awx "$@"; then
        what+=", AWX virtualenv"
        [ -f "$ROOT/.venv-awx/.requirements" ] || first+=("pip install of ansible and ansible-builder")
    fi
    if [ ${#first[@]} -eq 0 ]; then
        echo "set-up: $what"
    else
        local IFS=";"
        echo "set-up: $what (first run: ${first[*]}, a few minutes)"
    fi
}

# The home copy check: it must not appear during the run.
check_home_copy() {
    local existed="$1"
    if [ "$existed" -eq 0 ] && [ -e "$HOME_COPY" ]; then
        say "==> FAILED: a tool installed the collection into $HOME_COPY; it would shadow the working tree"
        FAILED+=("home-copy")
    fi
}

main() {
    local stages=("$@") started_lab=0 stage start=$SECONDS home_copy_existed=0
    [ ${#stages[@]} -gt 0 ] || stages=("${ALL_STAGES[@]}")
    check_stages "${stages[@]}"
    mkdir -p "$LOGS"
    if [ -e "$HOME_COPY" ]; then
        home_copy_existed=1
        say "warning: $HOME_COPY holds an old copy of this collection; remove it, or tools may load it instead of the working tree"
    fi
    local bootstrap_args=()
    needs_awx "${stages[@]}" && bootstrap_args=(--awx)
    quietly bootstrap "$(setup_message "${stages[@]}")" "$ROOT/scripts/bootstrap.sh" "${bootstrap_args[@]}" || exit 1
    # shellcheck source=scripts/env.sh
    . "$ROOT/scripts/env.sh"
    # Ansible's own files (temporary files, galaxy cache, ansible-lint's
    # mocks) stay in the clone too.
    export ANSIBLE_HOME="$ROOT/.build/ansible-home" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
    cd "$ROOT" || exit 1
    if needs_lab "${stages[@]}"; then
        "$ROOT/tests/lab/lab.sh" status >/dev/null 2>&1 || started_lab=1
        quietly lab "local lab: start what is not running" "$ROOT/tests/lab/lab.sh" up || exit 1
        . "$ROOT/scripts/env.sh"
    fi
    for stage in "${stages[@]}"; do
        # ansible-test's pip installs get a step and a log of their own, not sanity's.
        if [ "$stage" = sanity ] && ! quietly sanity-venvs "$(describe sanity-venvs)" "$ROOT/scripts/sanity.sh" --prime-venvs; then
            FAILED+=("$stage")
            continue
        fi
        run_stage "$stage" "$(describe "$stage")" "stage_${stage//-/_}"
    done
    if [ "$started_lab" -eq 1 ] && [ "${DNS01_KEEP_LAB:-0}" != 1 ]; then
        quietly lab-down "local lab: stop it (it was down before)" "$ROOT/tests/lab/lab.sh" down
    fi
    check_home_copy "$home_copy_existed"
    say "==> passed: ${PASSED[*]:-none}; failed: ${FAILED[*]:-none}; $((SECONDS - start)) s in all; logs in $LOGS"
    [ ${#FAILED[@]} -eq 0 ]
}

main "$@"
