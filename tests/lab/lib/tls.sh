# shellcheck shell=bash
# The lab CA and the server certificates: "server" for Pebble's HTTPS
# listeners, "doh" for unbound's DNS-over-HTTPS listener. Made once and kept
# across down/up, so clients can pin LAB_TLS_CA_BUNDLE.

readonly TLS_SANS="IP:127.0.1.10,IP:127.0.1.12,IP:127.0.1.13,DNS:localhost"
readonly DOH_TLS_SANS="IP:127.0.1.53"

make_lab_ca() {
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" -days 3650 \
        -subj "/CN=portable.dns01 lab CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# make_leaf_cert NAME SANS: NAME.key and NAME.pem in TLS_DIR, signed by the lab CA.
make_leaf_cert() {
    local name="$1" sans="$2" ext="$TLS_DIR/$1.ext"
    printf '%s\n' \
        "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" \
        "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=keyid" \
        "subjectAltName=$sans" >"$ext"
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$TLS_DIR/$name.key" -out "$TLS_DIR/$name.csr" \
        -subj "/CN=localhost" 2>/dev/null
    openssl x509 -req -in "$TLS_DIR/$name.csr" -CA "$TLS_DIR/ca.pem" \
        -CAkey "$TLS_DIR/ca.key" -CAcreateserial -days 825 \
        -extfile "$ext" -out "$TLS_DIR/$name.pem" 2>/dev/null
}

# leaf_sans NAME: the SANs of NAME.pem in the form of TLS_SANS, one a line;
# nothing when the certificate does not exist yet.
leaf_sans() {
    [ -s "$TLS_DIR/$1.pem" ] || return 0
    openssl x509 -in "$TLS_DIR/$1.pem" -noout -ext subjectAltName 2>/dev/null |
        sed -n '2,$p' | tr ',' '\n' | sed -e 's/^ *//' -e 's/^IP Address:/IP:/'
}

# ensure_leaf NAME SANS: remake NAME's certificate when it is missing or lacks a SAN.
ensure_leaf() {
    local name="$1" sans="$2" have want wanted
    have="$(leaf_sans "$name")"
    IFS=, read -ra wanted <<<"$sans"
    for want in "${wanted[@]}"; do
        if ! grep -qxF "$want" <<<"$have"; then
            log "making the lab $name certificate"
            make_leaf_cert "$name" "$sans"
            return 0
        fi
    done
}

ensure_tls() {
    mkdir -p "$TLS_DIR"
    if [ ! -s "$TLS_DIR/ca.pem" ] || [ ! -s "$TLS_DIR/ca.key" ]; then
        log "making the lab CA"
        make_lab_ca
        rm -f "$TLS_DIR/server.pem" "$TLS_DIR/doh.pem"
    fi
    ensure_leaf server "$TLS_SANS"
    ensure_leaf doh "$DOH_TLS_SANS"
}
