# shellcheck shell=bash
# "lab.sh fault NAME MODE": faults on the providers' APIs, DNS keeps answering.
# HTTP APIs go through faultproxy.py, which reads state/faults/NAME on every
# request. blackhole and refused are also enforced with iptables on the proxy
# port when iptables works here (LAB_FAULT_BACKEND=proxy turns that off):
# then a client sees a real connect time-out or ECONNREFUSED.

readonly HTTP_FAULT_MODES="none slow http500 http429 http503 http401 blackhole refused"
readonly FAULT_NAMES="pdns acmedns moto bind"
readonly IPTABLES_TAG="dns01-lab"

# fault_target NAME: "ADDR PORT" of the port a client of NAME connects to.
fault_target() {
    case "$1" in
        pdns) echo "127.0.1.1 8081" ;;
        acmedns) echo "127.0.1.4 8080" ;;
        moto) echo "127.0.1.3 5000" ;;
        bind) echo "127.0.1.2 53" ;;
        *) return 1 ;;
    esac
}

iptables_usable() {
    [ "${LAB_FAULT_BACKEND:-auto}" != proxy ] && iptables -w -L INPUT -n >/dev/null 2>&1
}

# iptables_clear [NAME]: delete the lab's rules for NAME, or all of them.
iptables_clear() {
    local tag="$IPTABLES_TAG${1:+:$1}" line rule
    iptables -w -S INPUT >/dev/null 2>&1 || return 0
    while read -r line; do
        # iptables -S quotes the comment; the lab's comments hold no spaces.
        line="${line//\"/}"
        read -ra rule <<<"${line/#-A /-D }"
        iptables -w "${rule[@]}"
    done < <(iptables -w -S INPUT | grep -E -- "--comment \"?$tag(:|\"| |$)" || true)
}

# iptables_block NAME MODE: DROP (blackhole) or RST (refused) new packets to
# NAME's port. BIND's rule spares the secondary so multi.test still transfers.
iptables_block() {
    local name="$1" mode="$2" addr port action=(-j DROP) spare=()
    read -r addr port <<<"$(fault_target "$name")"
    [ "$mode" = refused ] && action=(-j REJECT --reject-with tcp-reset)
    [ "$name" = bind ] && spare=(! -s 127.0.1.6)
    iptables -w -I INPUT -d "$addr/32" "${spare[@]}" -p tcp --dport "$port" \
        -m comment --comment "$IPTABLES_TAG:$name" "${action[@]}"
}

iptables_active() {
    local rules
    rules="$(iptables -w -S INPUT 2>/dev/null)" || return 1
    grep -q -E -- "--comment \"?$IPTABLES_TAG:$1(\"| |$)" <<<"$rules"
}

set_http_fault() {
    local name="$1" mode="$2" seconds="${3:-}"
    case " $HTTP_FAULT_MODES " in
        *" $mode "*) ;;
        *) die "unknown fault mode '$mode' (one of: $HTTP_FAULT_MODES)" ;;
    esac
    iptables_clear "$name"
    mkdir -p "$FAULT_DIR"
    printf '%s%s\n' "$mode" "${seconds:+ $seconds}" >"$FAULT_DIR/$name"
    if [ "$mode" = blackhole ] || [ "$mode" = refused ]; then
        if iptables_usable; then iptables_block "$name" "$mode"; fi
    fi
}

# BIND's API is DNS UPDATE over TCP/53: only iptables can take it away.
set_bind_fault() {
    local mode="$1"
    case "$mode" in
        none) iptables_clear bind ;;
        blackhole | refused)
            iptables_usable || die "fault bind $mode needs iptables, which does not work here"
            iptables_clear bind
            iptables_block bind "$mode"
            ;;
        *) die "fault bind supports none, blackhole and refused (TCP/53 of 127.0.1.2), not '$mode'" ;;
    esac
    mkdir -p "$FAULT_DIR"
    echo "$mode" >"$FAULT_DIR/bind"
}

set_fault() {
    local name="$1" mode="$2" seconds="${3:-}" each
    case "$name" in
        all)
            for each in pdns acmedns moto; do set_http_fault "$each" "$mode" "$seconds"; done
            case "$mode" in
                none | blackhole | refused) set_bind_fault "$mode" ;;
                *) log "bind has no '$mode' fault: left as it was" ;;
            esac
            ;;
        bind) set_bind_fault "$mode" ;;
        pdns | acmedns | moto) set_http_fault "$name" "$mode" "$seconds" ;;
        *) die "unknown fault target '$name' (one of: $FAULT_NAMES all)" ;;
    esac
}

fault_mode() { cat "$FAULT_DIR/$1" 2>/dev/null || echo none; }

clear_all_faults() {
    local name
    iptables_clear
    mkdir -p "$FAULT_DIR"
    for name in $FAULT_NAMES; do echo none >"$FAULT_DIR/$name"; done
}

print_faults() {
    local name how
    for name in $FAULT_NAMES; do
        how=""
        iptables_active "$name" && how=" (iptables)"
        printf '  fault %-8s %s%s\n' "$name" "$(fault_mode "$name")" "$how"
    done
}
