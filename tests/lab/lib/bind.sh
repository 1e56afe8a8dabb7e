# shellcheck shell=bash
# The three BIND instances: root (127.0.1.5), fallback (127.0.1.2) and
# secondary (127.0.1.6 + 127.0.1.7), plus the multi.test lag switch.

readonly RNDC_CONF="$KEY_DIR/rndc.conf"
readonly FALLBACK_RNDC_PORT=9532
readonly SECONDARY_RNDC_PORT=9536

# tsig_secret FILE: the secret of the key statement tsig-keygen wrote.
tsig_secret() {
    sed -n 's/^[[:space:]]*secret "\(.*\)";/\1/p' "$1"
}

# Keys are made once and kept, so the secrets in lab.env stay valid.
ensure_bind_keys() {
    mkdir -p "$KEY_DIR"
    chmod 700 "$KEY_DIR"
    [ -s "$KEY_DIR/acme-key.conf" ] || tsig-keygen -a hmac-sha256 acme-key >"$KEY_DIR/acme-key.conf"
    [ -s "$KEY_DIR/rndc-key.conf" ] || tsig-keygen -a hmac-sha256 lab-rndc >"$KEY_DIR/rndc-key.conf"
    printf 'include "%s";\noptions { default-key "lab-rndc"; };\n' \
        "$KEY_DIR/rndc-key.conf" >"$RNDC_CONF"
}

# lab_rndc SERVER PORT COMMAND...: rndc with the lab key, never /etc/bind's.
lab_rndc() {
    local server="$1" port="$2"
    shift 2
    rndc -c "$RNDC_CONF" -s "$server" -p "$port" "$@"
}

# prepare_named NAME: a fresh working directory with the rendered config.
prepare_named() {
    local name="$1" dir="$STATE_DIR/bind-$1"
    mkdir -p "$dir"
    render "$CONF_DIR/named-common.conf.in" "$dir/common.conf" "DIR=$dir"
    render "$CONF_DIR/named-$name.conf.in" "$dir/named.conf" "DIR=$dir" "KEYS=$KEY_DIR"
}

# render_zone DIR ZONE: a fresh zone file, journal dropped. The serial is the
# clock so it only grows across restarts and secondaries keep following.
render_zone() {
    local dir="$1" zone="$2"
    rm -f "$dir/db.$zone.jnl"
    render "$CONF_DIR/db.$zone.in" "$dir/db.$zone" "SERIAL=$(date +%s)"
}

start_named() {
    local name="$1" dir="$STATE_DIR/bind-$1"
    named-checkconf "$dir/named.conf" || die "named-checkconf failed for bind-$name"
    launch "bind-$name" named -4 -g -n 1 -c "$dir/named.conf"
}

start_bind_root() {
    local dir="$STATE_DIR/bind-root"
    prepare_named root
    render "$CONF_DIR/db.root.in" "$dir/db.root" "SERIAL=$(date +%s)"
    render_zone "$dir" test
    start_named root
}

start_bind_fallback() {
    local dir="$STATE_DIR/bind-fallback" zone
    prepare_named fallback
    for zone in fallback.test multi.test lame.test; do
        render_zone "$dir" "$zone"
    done
    write_multi_notify "$(lag_state)"
    start_named fallback
}

start_bind_secondary() {
    prepare_named secondary
    # Start empty: the first transfer from the primary fills the zone.
    rm -f "$STATE_DIR/bind-secondary/db.multi.test"
    start_named secondary
}

probe_bind_root() { dns_answers 127.0.1.5 test SOA; }

probe_bind_fallback() { dns_answers 127.0.1.2 fallback.test SOA && dns_answers 127.0.1.2 multi.test SOA; }

# Up means the zone arrived and 127.0.1.7 refuses lame.test as it should.
probe_bind_secondary() {
    dns_answers 127.0.1.6 multi.test SOA && [ "$(dns_rcode 127.0.1.7 lame.test SOA)" = REFUSED ]
}

# --- lag ------------------------------------------------------------------------
# The secondary follows the primary only through NOTIFY (the SOA refresh is an
# hour). Lag "on" makes the primary stop notifying for multi.test; "sync"
# makes the secondary transfer now; "off" notifies again and catches up.

lag_state() { cat "$STATE_DIR/lag-multi.test" 2>/dev/null || echo off; }

write_multi_notify() {
    local setting="explicit"
    [ "$1" = on ] && setting="no"
    printf 'notify %s;\n' "$setting" >"$STATE_DIR/bind-fallback/multi-notify.conf"
}

# wait_secondary_in_sync: bounded wait until both servers serve the same serial.
wait_secondary_in_sync() {
    local primary secondary
    for _ in $(seq 50); do
        primary="$(dns_serial 127.0.1.2 multi.test)"
        secondary="$(dns_serial 127.0.1.6 multi.test)"
        [ -n "$primary" ] && [ "$primary" = "$secondary" ] && return 0
        sleep 0.2
    done
    die "multi.test secondary serial ${secondary:-none} != primary ${primary:-none} after 10 s"
}

set_lag() {
    local zone="$1" action="$2"
    [ "$zone" = multi.test ] || die "lag is only wired for multi.test (got '$zone')"
    case "$action" in
        on | off)
            printf '%s\n' "$action" >"$STATE_DIR/lag-multi.test"
            write_multi_notify "$action"
            lab_rndc 127.0.1.2 "$FALLBACK_RNDC_PORT" reconfig >/dev/null
            if [ "$action" = off ]; then
                lab_rndc 127.0.1.6 "$SECONDARY_RNDC_PORT" refresh multi.test >/dev/null
                wait_secondary_in_sync
            fi
            ;;
        sync)
            lab_rndc 127.0.1.6 "$SECONDARY_RNDC_PORT" retransfer multi.test >/dev/null
            wait_secondary_in_sync
            ;;
        *) die "usage: lab.sh lag multi.test on|off|sync" ;;
    esac
    log "lag multi.test: $(lag_state) (primary $(dns_serial 127.0.1.2 multi.test), secondary $(dns_serial 127.0.1.6 multi.test))"
}
