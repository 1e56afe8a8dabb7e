# shellcheck shell=bash
# PowerDNS on 127.0.1.1: DNS :53, HTTP API :18081 (the proxy serves :8081),
# and RFC 2136 with TSIG on the same zone example.test.

readonly PDNS_DIR="$STATE_DIR/pdns"
readonly PDNS_ZONE=example.test
readonly PDNS_TSIG_NAME=pdns-update

# secret_file NAME COMMAND...: print the secret kept in keys/NAME, making it
# with COMMAND the first time.
secret_file() {
    local file="$KEY_DIR/$1"
    shift
    [ -s "$file" ] || "$@" >"$file"
    cat "$file"
}

pdns_api_key() { secret_file pdns-api-key openssl rand -hex 24; }

pdns_tsig_secret() { secret_file pdns-tsig-secret openssl rand -base64 32; }

# pdnsutil chatters on success; its output goes to the pdns log.
pdnsutil_lab() { pdnsutil --config-dir="$PDNS_DIR" "$@" >>"$LOG_DIR/pdns.log" 2>&1; }

# A new database on every start: the "provider" always begins in a known state.
make_pdns_db() {
    local zone="$PDNS_ZONE"
    rm -f "$PDNS_DIR/pdns.sqlite3"
    sqlite3 "$PDNS_DIR/pdns.sqlite3" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
    pdnsutil_lab create-zone "$zone" "ns1.$zone"
    pdnsutil_lab add-record "$zone" ns1 A 60 127.0.1.1
    pdnsutil_lab add-record "$zone" @ A 60 127.0.1.1
    pdnsutil_lab add-record "$zone" www A 60 127.0.1.1
    pdnsutil_lab set-meta "$zone" SOA-EDIT-API DEFAULT
    pdnsutil_lab set-meta "$zone" SOA-EDIT-DNSUPDATE INCREASE
    pdnsutil_lab import-tsig-key "$PDNS_TSIG_NAME" hmac-sha256 "$(pdns_tsig_secret)"
    pdnsutil_lab set-meta "$zone" TSIG-ALLOW-DNSUPDATE "$PDNS_TSIG_NAME"
    pdnsutil_lab set-meta "$zone" ALLOW-DNSUPDATE-FROM 127.0.0.0/8
}

start_pdns() {
    mkdir -p "$PDNS_DIR"
    render "$CONF_DIR/pdns.conf.in" "$PDNS_DIR/pdns.conf" \
        "DIR=$PDNS_DIR" "API_KEY=$(pdns_api_key)"
    make_pdns_db
    launch pdns pdns_server --config-dir="$PDNS_DIR"
}

probe_pdns() {
    dns_answers 127.0.1.1 "$PDNS_ZONE" SOA &&
        [ "$(http_code "http://127.0.1.1:18081/api/v1/servers/localhost" -H "X-API-Key: $(pdns_api_key)")" = 200 ]
}
