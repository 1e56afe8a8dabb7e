#!/usr/bin/env bash
# make doc: the documentation of a module or role of this working tree, from
# any shell (the project's virtualenv and collections path, see scripts/env.sh).
#   scripts/doc.sh                       # list the modules and roles
#   scripts/doc.sh dns_challenge_publish # one module (or portable.dns01.NAME)
#   scripts/doc.sh renewal               # one role's entry points
#   scripts/doc.sh --check               # render every module and role, fail on any error
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=portable.dns01

modules() { find "$ROOT/plugins/modules" -maxdepth 1 -name '[a-z]*.py' -printf '%f\n' | sed 's/\.py$//' | sort; }
roles() { find "$ROOT/roles" -mindepth 3 -maxdepth 3 -path '*/meta/argument_specs.yml' | awk -F/ '{print $(NF-2)}' | sort; }

# render NAME: ansible-doc exits 0 when it cannot find or load a plugin and
# only warns; treat that warning as the failure it is.
render() {
    local name="${1#"$PREFIX".}" kind=module out
    [ -d "$ROOT/roles/$name" ] && kind=role
    [ "$kind" = role ] || [ -f "$ROOT/plugins/modules/$name.py" ] ||
        { echo "no module or role '$name' in $PREFIX (scripts/doc.sh lists them)" >&2; return 1; }
    local errors rc=0
    errors="$(mktemp)"
    out="$(ANSIBLE_NOCOLOR=1 ansible-doc -t "$kind" "$PREFIX.$name" 2>"$errors")" || rc=$?
    # Warnings and errors go to stderr; the text itself may say "not found".
    if [ "$rc" -ne 0 ] || [ -z "$out" ] || grep -qiE 'not found|error loading|error' "$errors"; then
        cat "$errors" >&2
        rm -f "$errors"
        return 1
    fi
    cat "$errors" >&2
    rm -f "$errors"
    printf '%s\n' "$out"
}

check_all() {
    local name failed=0
    for name in $(modules) $(roles); do
        if render "$name" >/dev/null; then
            printf '  %-36s rendered\n' "$PREFIX.$name"
        else
            printf '  %-36s FAILED\n' "$PREFIX.$name"
            failed=1
        fi
    done
    return "$failed"
}

main() {
    [ -x "$ROOT/.venv/bin/ansible-doc" ] || "$ROOT/scripts/bootstrap.sh"
    # shellcheck source=scripts/env.sh disable=SC1091
    . "$ROOT/scripts/env.sh"
    case "${1:-}" in
        "")
            echo "modules: $(modules | tr '\n' ' ')"
            echo "roles:   $(roles | tr '\n' ' ')"
            echo "show one: make doc MODULE=NAME (or scripts/doc.sh NAME)"
            ;;
        --check) check_all ;;
        *) render "$1" ;;
    esac
}

main "$@"
