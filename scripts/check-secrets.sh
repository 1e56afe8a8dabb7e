#!/usr/bin/env bash
# Fails when a log holds any of the lab's secrets (TSIG secrets, API keys,
# EAB HMAC keys): what the collection prints must never carry them.
# Usage: scripts/check-secrets.sh LOG...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB_ENV="$ROOT/tests/lab/state/lab.env"

lab_secrets() {
    # shellcheck disable=SC1090
    (set -a; . "$LAB_ENV"; set +a
     env | grep -E '^LAB_[A-Z_]*(SECRET|API_KEY|HMAC_KEY)=' | cut -d= -f2- | grep -v '^$')
}

main() {
    local secret log found=0
    [ -f "$LAB_ENV" ] || { echo "no $LAB_ENV: is the lab up?" >&2; exit 2; }
    while IFS= read -r secret; do
        for log in "$@"; do
            if grep -qF -- "$secret" "$log"; then
                echo "a lab secret appears in $log" >&2
                found=1
            fi
        done
    done < <(lab_secrets)
    [ "$found" -eq 0 ] && echo "no lab secret in: $*"
    return "$found"
}

main "$@"
