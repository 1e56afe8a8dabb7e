#!/usr/bin/env bash
# Install the Debian packages the local lab runs on. Idempotent: when every
# package is already installed it only checks and exits. It does not create
# the project virtualenv (the top-level bootstrap does that). Extra package
# names given as arguments are installed the same way.
set -euo pipefail

PACKAGES=(
    pebble pdns-server pdns-backend-sqlite3 bind9 bind9-utils dnsutils unbound
    redis-server iptables sqlite3 iproute2 openssl curl
    # The renewal crash tests stop a run at an exact step of the install with it.
    strace
)

missing_packages() {
    local pkg status
    for pkg in "${PACKAGES[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        if [ "$status" != "install ok installed" ]; then
            printf '%s\n' "$pkg"
        fi
    done
}

# Service packages start their daemon on install where an init system
# exists; the lab runs its own instances on loopback addresses, so forbid it
# for the duration of the install and restore whatever was there before.
with_services_blocked() {
    local policy=/usr/sbin/policy-rc.d backup=""
    if [ -e "$policy" ]; then
        backup="$(mktemp)"
        cp -p "$policy" "$backup"
    fi
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    local rc=0
    "$@" || rc=$?
    if [ -n "$backup" ]; then
        mv "$backup" "$policy"
    else
        rm -f "$policy"
    fi
    return "$rc"
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    # An update is only needed when the package lists are absent or stale
    # enough not to know a candidate for one of the packages.
    if ! apt-get install -y --no-install-recommends "$@"; then
        apt-get update
        apt-get install -y --no-install-recommends "$@"
    fi
}

main() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "install.sh: must run as root (apt-get, and the lab binds port 53)" >&2
        exit 1
    fi
    local missing
    PACKAGES+=("$@")
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "lab packages: all installed"
        return 0
    fi
    echo "lab packages: installing ${missing[*]}"
    with_services_blocked apt_install "${missing[@]}"
}

main "$@"
