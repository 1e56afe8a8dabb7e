#!/usr/bin/env bash
# The local lab of portable.dns01: DNS providers, resolver, ACME CA, all on
# loopback. See tests/lab/README.md.
#
#   lab.sh up | down | status | clean
#   lab.sh restart [SERVICE...]
#   lab.sh fault pdns|acmedns|moto|bind|all MODE [SECONDS]
#   lab.sh lag multi.test on|off|sync
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$LAB_DIR/../.." && pwd)"
STATE_DIR="$LAB_DIR/state"
CONF_DIR="$LAB_DIR/conf"
LOG_DIR="$STATE_DIR/logs"
PID_DIR="$STATE_DIR/pids"
KEY_DIR="$STATE_DIR/keys"
TLS_DIR="$STATE_DIR/tls"
FAULT_DIR="$STATE_DIR/faults"
LAB_PYTHON="${DNS01_PYTHON:-$ROOT_DIR/.venv/bin/python}"
VENV_BIN="$(dirname "$LAB_PYTHON")"
PEBBLE_EXAMPLES=/usr/share/doc/pebble/examples
PEBBLE_NONCEREJECT="${LAB_PEBBLE_NONCEREJECT:-5}"
UP_TIMEOUT="${LAB_UP_TIMEOUT:-30}"
readonly LAB_DIR ROOT_DIR STATE_DIR CONF_DIR LOG_DIR PID_DIR KEY_DIR TLS_DIR FAULT_DIR
readonly LAB_PYTHON VENV_BIN PEBBLE_EXAMPLES PEBBLE_NONCEREJECT UP_TIMEOUT

readonly LAB_ADDRESSES=(
    127.0.1.1 127.0.1.2 127.0.1.3 127.0.1.4 127.0.1.5 127.0.1.6 127.0.1.7
    127.0.1.10 127.0.1.11 127.0.1.12 127.0.1.13 127.0.1.14 127.0.1.53
)

# Start order: authoritative servers before the resolver, the resolver before
# Pebble (which validates through it). Each NAME has start_NAME and probe_NAME
# (dashes become underscores).
readonly SERVICES=(
    bind-root bind-fallback bind-secondary pdns acmedns redis moto
    proxy-pdns proxy-acmedns proxy-moto unbound pebble pebble-eab pebble-strict webhook
)

# shellcheck source=tests/lab/lib/common.sh
. "$LAB_DIR/lib/common.sh"
# shellcheck source=tests/lab/lib/tls.sh
. "$LAB_DIR/lib/tls.sh"
# shellcheck source=tests/lab/lib/bind.sh
. "$LAB_DIR/lib/bind.sh"
# shellcheck source=tests/lab/lib/pdns.sh
. "$LAB_DIR/lib/pdns.sh"
# shellcheck source=tests/lab/lib/services.sh
. "$LAB_DIR/lib/services.sh"
# shellcheck source=tests/lab/lib/faults.sh
. "$LAB_DIR/lib/faults.sh"
# shellcheck source=tests/lab/lib/webhook.sh
. "$LAB_DIR/lib/webhook.sh"

fn_name() { printf '%s_%s' "$1" "${2//-/_}"; }

# The acme-dns double is written separately: the lab runs without it until
# it exists in the tree.
service_enabled() {
    [ "$1" != acmedns ] || acmedns_present
}

enabled_services() {
    local name
    for name in "${SERVICES[@]}"; do
        if service_enabled "$name"; then printf '%s\n' "$name"; fi
    done
}

require_tools() {
    local tool missing=()
    for tool in named pdns_server unbound pebble redis-server dig curl openssl sqlite3 ip; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    [ "${#missing[@]}" -eq 0 ] || die "missing ${missing[*]}: run tests/lab/install.sh"
    [ -x "$LAB_PYTHON" ] || die "no python at $LAB_PYTHON: create the venv or set DNS01_PYTHON"
    [ "$(id -u)" -eq 0 ] || die "the lab binds port 53 and adds loopback addresses: run as root"
}

start_missing_services() {
    local name running=()
    while read -r name; do
        if service_alive "$name"; then
            running+=("$name")
        else
            "$(fn_name start "$name")"
        fi
    done < <(enabled_services)
    [ "${#running[@]}" -eq 0 ] || log "left running: ${running[*]}"
}

# wait_until_answering: every service answers within UP_TIMEOUT seconds, or
# the first one that died / never answered fails the run with its log tail.
wait_until_answering() {
    local deadline=$((SECONDS + UP_TIMEOUT)) pending name still
    mapfile -t pending < <(enabled_services)
    while [ "${#pending[@]}" -gt 0 ]; do
        still=()
        for name in "${pending[@]}"; do
            if ! service_alive "$name"; then
                log_tail "$name"
                die "$name exited during start"
            fi
            "$(fn_name probe "$name")" || still+=("$name")
        done
        pending=("${still[@]+"${still[@]}"}")
        [ "${#pending[@]}" -eq 0 ] && break
        if [ "$SECONDS" -ge "$deadline" ]; then
            for name in "${pending[@]}"; do log_tail "$name"; done
            die "not answering after ${UP_TIMEOUT} s: ${pending[*]}"
        fi
        sleep 0.2
    done
}

# lab_values: the KEY=VALUE lines of lab.env / lab.json / inventory.yml.
lab_values() {
    local eab_kid eab_hmac acmedns_url=""
    read -r eab_kid eab_hmac <<<"$(pebble_eab_pair)"
    acmedns_present && acmedns_url=http://127.0.1.4:8080
    cat <<EOF
LAB_STATE_DIR=$STATE_DIR
LAB_SCRIPT=$LAB_DIR/lab.sh
LAB_RESOLVER=127.0.1.53
LAB_DOH_URL=$DOH_URL
LAB_ROOT_SERVER=127.0.1.5
LAB_TLS_CA_BUNDLE=$TLS_DIR/ca.pem
LAB_PDNS_DNS=127.0.1.1
LAB_PDNS_API_URL=http://127.0.1.1:8081
LAB_PDNS_API_DIRECT_URL=http://127.0.1.1:18081
LAB_PDNS_API_KEY=$(pdns_api_key)
LAB_PDNS_ZONE=$PDNS_ZONE
LAB_PDNS_TSIG_NAME=$PDNS_TSIG_NAME
LAB_PDNS_TSIG_SECRET=$(pdns_tsig_secret)
LAB_PDNS_TSIG_ALGORITHM=hmac-sha256
LAB_BIND_SERVER=127.0.1.2
LAB_BIND_ZONE=fallback.test
LAB_BIND_TSIG_NAME=acme-key
LAB_BIND_TSIG_SECRET=$(tsig_secret "$KEY_DIR/acme-key.conf")
LAB_BIND_TSIG_ALGORITHM=hmac-sha256
LAB_MULTI_ZONE=multi.test
LAB_MULTI_PRIMARY=127.0.1.2
LAB_MULTI_SECONDARY=127.0.1.6
LAB_LAME_ZONE=lame.test
LAB_LAME_GOOD_SERVER=127.0.1.2
LAB_LAME_BAD_SERVER=127.0.1.7
LAB_MOTO_URL=http://127.0.1.3:5000
LAB_ACMEDNS_URL=$acmedns_url
LAB_ACMEDNS_DNS=127.0.1.4
LAB_ACMEDNS_DOMAIN=auth.acme-dns.test
LAB_PEBBLE_DIRECTORY=https://127.0.1.10:14000/dir
LAB_PEBBLE_MGMT_URL=https://127.0.1.10:15000
LAB_PEBBLE_ROOT=$STATE_DIR/pebble-root.pem
LAB_PEBBLE_INTERMEDIATE=$STATE_DIR/pebble-intermediate.pem
LAB_PEBBLE_EAB_DIRECTORY=https://127.0.1.12:14000/dir
LAB_PEBBLE_EAB_MGMT_URL=https://127.0.1.12:15000
LAB_PEBBLE_EAB_ROOT=$STATE_DIR/pebble-eab-root.pem
LAB_PEBBLE_EAB_KID=$eab_kid
LAB_PEBBLE_EAB_HMAC_KEY=$eab_hmac
LAB_PEBBLE_STRICT_DIRECTORY=https://127.0.1.13:14000/dir
LAB_PEBBLE_STRICT_MGMT_URL=https://127.0.1.13:15000
LAB_PEBBLE_STRICT_ROOT=$STATE_DIR/pebble-strict-root.pem
LAB_REDIS_URL=redis://127.0.1.11:6379/0
LAB_WEBHOOK_URL=$WEBHOOK_URL
LAB_WEBHOOK_LOG=$STATE_DIR/webhook/requests.jsonl
EOF
}

write_outputs() {
    lab_values | "$LAB_PYTHON" "$LAB_DIR/lab_outputs.py" "$STATE_DIR" "$LAB_PYTHON"
}

cmd_up() {
    local started="$SECONDS" lagging
    require_tools
    mkdir -p "$LOG_DIR" "$PID_DIR" "$FAULT_DIR"
    ensure_addresses
    ensure_tls
    ensure_bind_keys
    # up always ends in the known-good world: no faults, no lag. A primary
    # started now starts in sync; a running one is told below.
    clear_all_faults
    lagging="$(lag_state)"
    echo off >"$STATE_DIR/lag-multi.test"
    acmedns_present || log "WARNING: tests/lab/acmedns_double is missing: acme-dns double not started"
    start_missing_services
    wait_until_answering
    [ "$lagging" = off ] || set_lag multi.test off
    fetch_pebble_roots
    write_outputs
    log "up in $((SECONDS - started)) s; source tests/lab/state/lab.env (or scripts/env.sh)"
}

cmd_down() {
    local index
    for ((index = ${#SERVICES[@]} - 1; index >= 0; index--)); do
        stop_service "${SERVICES[index]}"
    done
    iptables_clear
    remove_added_addresses
    log "down"
}

cmd_restart() {
    local name
    if [ "$#" -eq 0 ]; then
        cmd_down
    else
        for name in "$@"; do
            case " ${SERVICES[*]} " in
                *" $name "*) stop_service "$name" ;;
                *) die "unknown service '$name' (one of: ${SERVICES[*]})" ;;
            esac
        done
    fi
    cmd_up
}

cmd_status() {
    local name state rc=0
    for name in "${SERVICES[@]}"; do
        if ! service_enabled "$name"; then
            state="absent (tests/lab/acmedns_double not in the tree)"
        elif ! service_alive "$name"; then
            state=down
            rc=1
        elif [ "${name#proxy-}" != "$name" ] && [ "$(fault_mode "${name#proxy-}")" != none ]; then
            # Probing a faulted proxy would only wait for the fault.
            state="up (pid $(service_pid "$name"), fault: $(fault_mode "${name#proxy-}"))"
        elif "$(fn_name probe "$name")"; then
            state="up (pid $(service_pid "$name"))"
        else
            state="running, not answering (pid $(service_pid "$name"); a fault?)"
        fi
        printf '  %-15s %s\n' "$name" "$state"
    done
    print_faults
    printf '  lag multi.test   %s\n' "$(lag_state)"
    return "$rc"
}

cmd_clean() {
    cmd_down
    rm -rf "$STATE_DIR"
    log "state removed"
}

usage() {
    sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
}

main() {
    local command="${1:-}"
    [ "$#" -gt 0 ] && shift
    case "$command" in
        up) cmd_up ;;
        down) cmd_down ;;
        restart) cmd_restart "$@" ;;
        status) cmd_status ;;
        clean) cmd_clean ;;
        fault)
            [ "$#" -ge 2 ] || usage
            set_fault "$@"
            ;;
        lag)
            [ "$#" -eq 2 ] || usage
            set_lag "$@"
            ;;
        *) usage ;;
    esac
}

main "$@"
