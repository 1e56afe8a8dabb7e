#!/usr/bin/env bash
# The main job on the local lab: a wildcard + apex certificate for
# example.test issued while the primary DNS provider's API (PowerDNS)
# refuses connections. The challenge was delegated once, while the API was
# up, into fallback.test (BIND, RFC 2136), so the renewal does not need it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB="$ROOT/tests/lab/lab.sh"

log() { printf '\n==> %s\n' "$*"; }

playbook() {
    ansible-playbook -i "$ROOT/tests/lab/state/inventory.yml" -i "$ROOT/inventories/lab" "$@"
}

restore_primary() { "$LAB" fault pdns none >/dev/null 2>&1 || true; }

show_certificate() {
    local dir="$LAB_STATE_DIR/demo"
    log "The certificate"
    openssl x509 -in "$dir/example.crt" -noout -subject -issuer -enddate -ext subjectAltName
    log "openssl verify against the lab CA's root"
    openssl verify -CAfile "$LAB_PEBBLE_ROOT" -untrusted "$dir/example.chain.crt" "$dir/example.crt"
}

main() {
    "$ROOT/scripts/bootstrap.sh"
    log "Starting the local lab"
    "$LAB" up
    # shellcheck source=scripts/env.sh
    . "$ROOT/scripts/env.sh"
    cd "$ROOT"

    log "Delegating _acme-challenge.example.test into fallback.test (once, while the primary's API works)"
    playbook playbooks/delegate.yml

    log "Taking the primary provider's API down: connections to PowerDNS's API are refused, its DNS still answers"
    trap restore_primary EXIT
    "$LAB" fault pdns refused
    printf 'PowerDNS API %s: %s\n' "$LAB_PDNS_API_URL" \
        "$(curl -sS -m 3 -o /dev/null "$LAB_PDNS_API_URL/api/v1/servers" 2>&1 || true)"
    printf 'PowerDNS DNS %s still answers: example.test A %s\n' "$LAB_PDNS_DNS" \
        "$(dig +short @"$LAB_PDNS_DNS" example.test A)"

    log "Renewing: a new certificate for example.test and *.example.test"
    playbook playbooks/renew.yml -e dns01_renewal_force=true

    show_certificate
    log "Done: issued through the fallback while the primary's API was down. 'make lab-down' stops the lab."
}

main "$@"
