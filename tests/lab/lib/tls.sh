# shellcheck shell=bash
# The lab CA and the server certificate Pebble's HTTPS listeners present.
# Made once and kept across down/up, so clients can pin LAB_TLS_CA_BUNDLE.

readonly TLS_SANS="IP:127.0.1.10,IP:127.0.1.12,IP:127.0.1.13,DNS:localhost"

make_lab_ca() {
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" -days 3650 \
        -subj "/CN=portable.dns01 lab CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_server_cert() {
    local ext="$TLS_DIR/server.ext"
    printf '%s\n' \
        "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" \
        "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=keyid" \
        "subjectAltName=$TLS_SANS" >"$ext"
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" \
        -subj "/CN=localhost" 2>/dev/null
    openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" \
        -CAkey "$TLS_DIR/ca.key" -CAcreateserial -days 825 \
        -extfile "$ext" -out "$TLS_DIR/server.pem" 2>/dev/null
}

ensure_tls() {
    mkdir -p "$TLS_DIR"
    if [ ! -s "$TLS_DIR/ca.pem" ] || [ ! -s "$TLS_DIR/ca.key" ]; then
        log "making the lab CA"
        make_lab_ca
        rm -f "$TLS_DIR/server.pem"
    fi
    # Remake the leaf when it is missing or its SANs changed.
    local sans
    sans="$(openssl x509 -in "$TLS_DIR/server.pem" -noout -ext subjectAltName 2>/dev/null || true)"
    if ! grep -q 'IP Address:127.0.1.13' <<<"$sans"; then
        log "making the lab server certificate"
        make_server_cert
    fi
}
