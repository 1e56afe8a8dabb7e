#!/usr/bin/env bash
# Runs the integration targets (tests/integration/targets/NAME/tasks/main.yml)
# against the local lab with ansible-playbook, one play per target, and
# reports each. Targets are picked by name: run.sh acme_order
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGETS_DIR="$ROOT/tests/integration/targets"
INVENTORY="$ROOT/tests/lab/state/inventory.yml"
WORK="$ROOT/.build/integration"

# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"

write_play() {
    local target="$1" play="$WORK/$1.yml"
    cat > "$play" <<PLAY
- name: Integration target $target
  hosts: lab
  gather_facts: false
  roles:
    - role: $target
PLAY
    echo "$play"
}

# A target is a role (tasks/main.yml) run in one play, or, when it needs
# several plays, its own playbook.yml.
run_target() {
    local target="$1" play="$TARGETS_DIR/$1/playbook.yml"
    [ -f "$play" ] || play="$(write_play "$target")"
    ANSIBLE_ROLES_PATH="$TARGETS_DIR" ansible-playbook -i "$INVENTORY" "$play"
}

main() {
    local targets=("$@") failed=() target
    mkdir -p "$WORK"
    [ -f "$INVENTORY" ] || { echo "no lab inventory: run tests/lab/lab.sh up" >&2; exit 2; }
    if [ ${#targets[@]} -eq 0 ]; then
        mapfile -t targets < <(find "$TARGETS_DIR" -mindepth 1 -maxdepth 1 -type d ! -name 'setup_*' -printf '%f\n' | sort)
    fi
    [ ${#targets[@]} -gt 0 ] || { echo "no integration targets found" >&2; exit 2; }
    for target in "${targets[@]}"; do
        printf '\n--- target %s\n' "$target"
        run_target "$target" 2>&1 | tee "$WORK/$target.log"
        [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$target")
        "$ROOT/scripts/check-secrets.sh" "$WORK/$target.log" || failed+=("$target (secret in output)")
    done
    printf '\n%d passed, %d failed\n' "$(( ${#targets[@]} - ${#failed[@]} ))" "${#failed[@]}"
    [ ${#failed[@]} -eq 0 ] || { echo "failed targets: ${failed[*]}"; exit 1; }
}

main "$@"
