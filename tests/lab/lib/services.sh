# shellcheck shell=bash
# The other lab services: unbound, Pebble (three instances), Redis, moto,
# the acme-dns test double and the fault proxies in front of the HTTP APIs.

# --- unbound --------------------------------------------------------------------

start_unbound() {
    local dir="$STATE_DIR/unbound"
    mkdir -p "$dir"
    cp "$CONF_DIR/root.hints" "$dir/root.hints"
    render "$CONF_DIR/unbound.conf.in" "$dir/unbound.conf" "DIR=$dir" "TLS_DIR=$TLS_DIR"
    unbound-checkconf "$dir/unbound.conf" >/dev/null || die "unbound-checkconf failed"
    launch unbound unbound -d -c "$dir/unbound.conf"
}

readonly DOH_URL=https://127.0.1.53/dns-query
# "example.test A" with RD set and ID 0 (RFC 8484 4.1), in DNS wire format,
# base64url without padding: the ?dns= parameter of a DoH GET.
readonly DOH_PROBE_QUERY=AAABAAABAAAAAAAAB2V4YW1wbGUEdGVzdAAAAQAB

# The resolver is up when it resolves through the root's delegation, over
# plain DNS and over DNS-over-HTTPS.
probe_unbound() {
    dns_answers 127.0.1.53 example.test A +recurse &&
        [ "$(http_code "$DOH_URL?dns=$DOH_PROBE_QUERY" --cacert "$TLS_DIR/ca.pem" \
            -H 'accept: application/dns-message')" = 200 ]
}

# --- Pebble ---------------------------------------------------------------------

# pebble_address NAME: the address each instance listens on.
pebble_address() {
    case "$1" in
        pebble) echo 127.0.1.10 ;;
        pebble-eab) echo 127.0.1.12 ;;
        pebble-strict) echo 127.0.1.13 ;;
    esac
}

# write_pebble_config EXAMPLE OUT ADDR: Debian's example with lab listeners and
# the lab certificate.
write_pebble_config() {
    "$LAB_PYTHON" - "$@" "$TLS_DIR" <<'PY'
import json, sys
example, out, addr, tls = sys.argv[1:5]
with open(example) as handle:
    config = json.load(handle)
config["pebble"].update(
    listenAddress=addr + ":14000",
    managementListenAddress=addr + ":15000",
    certificate=tls + "/server.pem",
    privateKey=tls + "/server.key",
)
with open(out, "w") as handle:
    json.dump(config, handle, indent=2)
PY
}

# start_pebble_instance NAME EXAMPLE NONCEREJECT
start_pebble_instance() {
    local name="$1" example="$PEBBLE_EXAMPLES/$2" reject="$3" dir="$STATE_DIR/$1"
    mkdir -p "$dir"
    write_pebble_config "$example" "$dir/config.json" "$(pebble_address "$name")"
    launch "$name" env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT="$reject" \
        pebble -config "$dir/config.json" -dnsserver 127.0.1.53:53
}

start_pebble() { start_pebble_instance pebble pebble-config.json "$PEBBLE_NONCEREJECT"; }

start_pebble_eab() {
    start_pebble_instance pebble-eab pebble-config-external-account-bindings.json "$PEBBLE_NONCEREJECT"
}

start_pebble_strict() { start_pebble_instance pebble-strict pebble-config.json 20; }

probe_pebble_instance() {
    [ "$(http_code "https://$(pebble_address "$1"):14000/dir" --cacert "$TLS_DIR/ca.pem")" = 200 ]
}

probe_pebble() { probe_pebble_instance pebble; }
probe_pebble_eab() { probe_pebble_instance pebble-eab; }
probe_pebble_strict() { probe_pebble_instance pebble-strict; }

# Pebble makes a new root at every start: fetch the current ones.
fetch_pebble_roots() {
    local name prefix mgmt
    for name in pebble pebble-eab pebble-strict; do
        prefix="$STATE_DIR/$name"
        mgmt="https://$(pebble_address "$name"):15000"
        curl -sf --max-time 5 --cacert "$TLS_DIR/ca.pem" "$mgmt/roots/0" -o "$prefix-root.pem" ||
            die "could not fetch $name's root from $mgmt/roots/0"
        curl -sf --max-time 5 --cacert "$TLS_DIR/ca.pem" "$mgmt/intermediates/0" \
            -o "$prefix-intermediate.pem" ||
            die "could not fetch $name's intermediate from $mgmt/intermediates/0"
    done
}

# The EAB instance's first kid/hmac pair, as Debian's example config has it.
pebble_eab_pair() {
    "$LAB_PYTHON" - "$PEBBLE_EXAMPLES/pebble-config-external-account-bindings.json" <<'PY'
import json, sys
with open(sys.argv[1]) as handle:
    keys = json.load(handle)["pebble"]["externalAccountMACKeys"]
kid = sorted(keys)[0]
print(kid, keys[kid])
PY
}

# --- Redis ----------------------------------------------------------------------

start_redis() {
    mkdir -p "$STATE_DIR/redis"
    # Protected mode only trusts 127.0.0.1, but clients of 127.0.1.11 come
    # from 127.0.1.11; the bind address alone keeps it on loopback.
    launch redis redis-server --bind 127.0.1.11 --port 6379 --save '' --appendonly no \
        --daemonize no --protected-mode no --dir "$STATE_DIR/redis"
}

probe_redis() { [ "$(redis-cli -h 127.0.1.11 -p 6379 ping 2>/dev/null)" = PONG ]; }

# --- moto -----------------------------------------------------------------------

start_moto() { launch moto "$VENV_BIN/moto_server" -H 127.0.1.3 -p 15000; }

probe_moto() { [ "$(http_code http://127.0.1.3:15000/moto-api/)" = 200 ]; }

# --- acme-dns test double --------------------------------------------------------

# acmedns_command: how to run the double, empty when it is not in the tree.
acmedns_command() {
    local pkg="$LAB_DIR/acmedns_double"
    if [ -f "$pkg/server.py" ]; then
        echo "$LAB_PYTHON $pkg/server.py"
    elif [ -f "$pkg/__main__.py" ]; then
        echo "$LAB_PYTHON -m tests.lab.acmedns_double"
    fi
}

acmedns_present() { [ -n "$(acmedns_command)" ]; }

start_acmedns() {
    local cmd
    read -ra cmd <<<"$(acmedns_command)"
    mkdir -p "$STATE_DIR/acmedns"
    # -m needs the repository root on the module path.
    (cd "$ROOT_DIR" && launch acmedns "${cmd[@]}" \
        --api-address 127.0.1.4 --api-port 18080 \
        --dns-address 127.0.1.4 --dns-port 53 \
        --domain auth.acme-dns.test --nsname ns.auth.acme-dns.test \
        --db "$STATE_DIR/acmedns/acmedns.db")
}

probe_acmedns() {
    [ "$(http_code http://127.0.1.4:18080/health)" = 200 ] &&
        dns_answers 127.0.1.4 auth.acme-dns.test SOA
}

# --- fault proxies --------------------------------------------------------------

start_proxy() {
    local name="$1" listen="$2" upstream="$3"
    mkdir -p "$FAULT_DIR"
    [ -f "$FAULT_DIR/$name" ] || echo none >"$FAULT_DIR/$name"
    launch "proxy-$name" "$LAB_PYTHON" "$LAB_DIR/faultproxy.py" \
        --listen "$listen" --upstream "$upstream" --mode-file "$FAULT_DIR/$name"
}

start_proxy_pdns() { start_proxy pdns 127.0.1.1:8081 127.0.1.1:18081; }
start_proxy_acmedns() { start_proxy acmedns 127.0.1.4:8080 127.0.1.4:18080; }
start_proxy_moto() { start_proxy moto 127.0.1.3:5000 127.0.1.3:15000; }

# Any HTTP answer will do: a 502 still proves the proxy listens.
probe_proxy_pdns() { http_answers http://127.0.1.1:8081/; }
probe_proxy_acmedns() { http_answers http://127.0.1.4:8080/; }
probe_proxy_moto() { http_answers http://127.0.1.3:5000/; }
