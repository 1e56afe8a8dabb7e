#!/usr/bin/env bash
# make bench: the benchmarks of bench/ on the local lab, side by side with the
# peers they are compared to (see bench/README.md). Starts the lab when a
# service is down, installs lego, certbot and certbot's RFC 2136 plugin from
# Debian when missing, and the community.crypto peer into its own virtualenv
# under bench/results/. Arguments go to bench/run.py, for example
#   scripts/bench.sh --benchmarks issuance --counts 1
# BENCH_COMMUNITY_CRYPTO=0 leaves the community.crypto peer out;
# BENCH_TIMEOUT (seconds, default 3600) bounds the whole run. N=1000:
#   BENCH_TIMEOUT=28800 scripts/bench.sh --counts 1000 --repeats 1000:1   (make bench-1000)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB="$ROOT/tests/lab/lab.sh"
RESULTS="$ROOT/bench/results"
PEERS_VENV="$RESULTS/.venv-peers"
FAULT_MARKER="$RESULTS/.fault-active"
DEBIAN_PEERS=(lego certbot python3-certbot-dns-rfc2136)

log() { printf '==> %s\n' "$*"; }

# bench/run.py switches a fault only while it holds the lab lock, and writes
# FAULT_MARKER meanwhile; if it was killed outright, switch the fault back.
restore_fault() {
    if [ -f "$FAULT_MARKER" ]; then
        "$LAB" fault "$(cat "$FAULT_MARKER")" none || true
        rm -f "$FAULT_MARKER"
    fi
}

# lab.sh up clears every fault, including one another run set a moment ago:
# call it only when a service is down, holding the lab lock exclusively.
ensure_lab() {
    if "$LAB" status >/dev/null 2>&1; then
        log "lab is up"
        return
    fi
    log "starting the lab"
    if [ -f "$ROOT/tests/lab/state/lab.lock" ]; then
        # -o: the lock stays with flock, never with what lab.sh starts.
        flock -o -w 600 "$ROOT/tests/lab/state/lab.lock" "$LAB" up
    else
        "$LAB" up
    fi
}

missing_debian_peers() {
    local package
    for package in "${DEBIAN_PEERS[@]}"; do
        dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' || echo "$package"
    done
}

ensure_debian_peers() {
    local missing
    mapfile -t missing < <(missing_debian_peers)
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ]; then
        log "not root: cannot install ${missing[*]}; the benchmarks run without them"
        return
    fi
    log "installing ${missing[*]} (apt-get, output in $RESULTS/apt.log)"
    {
        apt-get install -y --no-install-recommends "${missing[@]}" ||
            { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
    } >"$RESULTS/apt.log" 2>&1 ||
        log "could not install ${missing[*]} (see $RESULTS/apt.log); the benchmarks run without them"
}

# The ansible package of PyPI (12.x pairs with ansible-core 2.19) carries
# community.crypto and community.general; nsupdate needs dnspython.
ensure_community_crypto() {
    [ "${BENCH_COMMUNITY_CRYPTO:-1}" = 0 ] && return
    [ -f "$PEERS_VENV/.installed" ] && return
    log "installing the community.crypto peer into $PEERS_VENV (once, a few minutes)"
    rm -rf "$PEERS_VENV"
    if python3 -m venv "$PEERS_VENV" &&
        "$PEERS_VENV/bin/python" -m pip install --quiet 'ansible>=12,<13' 'dnspython>=2.4' >/dev/null; then
        touch "$PEERS_VENV/.installed"
    else
        log "could not install the community.crypto peer; the benchmarks run without it"
        rm -rf "$PEERS_VENV"
    fi
}

main() {
    mkdir -p "$RESULTS"
    trap restore_fault EXIT
    ensure_lab
    # shellcheck source=scripts/env.sh
    . "$ROOT/scripts/env.sh"
    ensure_debian_peers
    ensure_community_crypto
    timeout --kill-after=30 "${BENCH_TIMEOUT:-3600}" python "$ROOT/bench/run.py" --peers-venv "$PEERS_VENV" "$@"
}

main "$@"
