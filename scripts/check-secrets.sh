#!/usr/bin/env bash
# Fails when a log holds any of the lab's secrets: TSIG secrets, API keys, EAB
# HMAC keys, the passwords of the acme-dns accounts kept under the lab's state
# directory, and every line of the files given with --secrets-file (secrets a
# test made itself). What the collection prints must never carry them.
# Usage: scripts/check-secrets.sh [--secrets-file FILE]... LOG...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB_ENV="$ROOT/tests/lab/state/lab.env"
LAB_STATE="$ROOT/tests/lab/state"

lab_secrets() {
    # shellcheck disable=SC1090
    (set -a; . "$LAB_ENV"; set +a
     env | grep -E '^LAB_[A-Z_]*(SECRET|API_KEY|HMAC_KEY)=' | cut -d= -f2- | grep -v '^$')
    # acme-dns credential files: {"domain": {"password": ...}, ...}
    find "$LAB_STATE" -name '*.json' -size -1M -print0 2>/dev/null |
        xargs -0 -r grep -ho '"password": *"[^"]*"' 2>/dev/null | sed 's/.*: *"\(.*\)"/\1/' || true
}

main() {
    local secret log found=0 logs=() extra=()
    while [ "$#" -gt 0 ]; do
        case "$1" in
            --secrets-file) extra+=("$2"); shift 2 ;;
            *) logs+=("$1"); shift ;;
        esac
    done
    [ -f "$LAB_ENV" ] || { echo "no $LAB_ENV: is the lab up?" >&2; exit 2; }
    [ "${#logs[@]}" -gt 0 ] || { echo "usage: $0 [--secrets-file FILE]... LOG..." >&2; exit 2; }
    # A log that is missing or unreadable proves nothing: grep would fail quietly and the check pass.
    for log in "${logs[@]}" "${extra[@]}"; do
        if [ ! -f "$log" ] || [ ! -r "$log" ]; then echo "cannot read $log" >&2; exit 2; fi
    done
    while IFS= read -r secret; do
        [ -n "$secret" ] || continue
        for log in "${logs[@]}"; do
            if grep -qF -- "$secret" "$log"; then
                echo "a lab secret appears in $log" >&2
                found=1
            fi
        done
    done < <(lab_secrets; [ "${#extra[@]}" -eq 0 ] || cat "${extra[@]}")
    [ "$found" -eq 0 ] && echo "no lab secret in: ${logs[*]}"
    return "$found"
}

main "$@"
