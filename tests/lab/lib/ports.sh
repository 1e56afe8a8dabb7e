# shellcheck shell=bash
# The addresses and ports each lab service binds, and the check "up" makes
# before it starts anything: none of them may be held by a process the lab's
# state does not know. Linux lets a second server bind a UDP port beside the
# first (SO_REUSEPORT), so a stray BIND with another TSIG key would silently
# answer half of the queries.

# service_endpoints NAME: ADDRESS:PORT/PROTO words, one per socket NAME binds.
service_endpoints() {
    local addr
    case "$1" in
        bind-root) echo 127.0.1.5:53/tcp 127.0.1.5:53/udp ;;
        bind-fallback) echo 127.0.1.2:53/tcp 127.0.1.2:53/udp "127.0.1.2:$FALLBACK_RNDC_PORT/tcp" ;;
        bind-secondary)
            echo 127.0.1.6:53/tcp 127.0.1.6:53/udp 127.0.1.7:53/tcp 127.0.1.7:53/udp \
                "127.0.1.6:$SECONDARY_RNDC_PORT/tcp"
            ;;
        pdns) echo 127.0.1.1:53/tcp 127.0.1.1:53/udp 127.0.1.1:18081/tcp ;;
        acmedns) echo 127.0.1.4:53/tcp 127.0.1.4:53/udp 127.0.1.4:18080/tcp ;;
        redis) echo 127.0.1.11:6379/tcp ;;
        moto) echo 127.0.1.3:15000/tcp ;;
        proxy-pdns) echo 127.0.1.1:8081/tcp ;;
        proxy-acmedns) echo 127.0.1.4:8080/tcp ;;
        proxy-moto) echo 127.0.1.3:5000/tcp ;;
        webhook) echo 127.0.1.14:8080/tcp ;;
        unbound) echo 127.0.1.53:53/tcp 127.0.1.53:53/udp 127.0.1.53:443/tcp 127.0.1.53:443/udp ;;
        pebble | pebble-eab | pebble-strict)
            addr="$(pebble_address "$1")"
            echo "$addr:14000/tcp" "$addr:15000/tcp"
            ;;
        *) declare -F "endpoints_${1//-/_}" >/dev/null && "endpoints_${1//-/_}" ;;
    esac
}

# listeners: "PROTO ADDRESS PORT PID COMMAND" for every listening TCP socket
# and bound UDP socket of this network namespace (one line per process).
listeners() {
    ss -Hlnptu 2>/dev/null | awk '
        {
            local = $5; port = local; sub(/.*:/, "", port); addr = substr(local, 1, length(local) - length(port) - 1)
            sub(/%.*/, "", addr); gsub(/[][]/, "", addr)
            rest = $0
            while (match(rest, /\("[^"]*",pid=[0-9]+/)) {
                entry = substr(rest, RSTART + 2, RLENGTH - 2); rest = substr(rest, RSTART + RLENGTH)
                comm = entry; sub(/",pid=.*/, "", comm); pid = entry; sub(/.*pid=/, "", pid)
                print $1, addr, port, pid, comm
            }
        }' | sort -u
}

proc_group() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f3; }

# lab_process_groups: the process group of every running lab service (each
# leads its own, see launch).
lab_process_groups() {
    local name
    for name in "${SERVICES[@]}"; do
        service_pid "$name" || true
    done
}

# foreign_holders: "ENDPOINT COMMAND PID" for each lab endpoint held (also
# through a wildcard address) by a process outside the lab's process groups.
foreign_holders() {
    local groups name endpoint proto addr port l_proto l_addr l_port pid comm
    groups=" $(lab_process_groups | tr '\n' ' ') "
    local -A wanted=()
    for name in "${SERVICES[@]}"; do
        for endpoint in $(service_endpoints "$name"); do wanted[$endpoint]=1; done
    done
    while read -r l_proto l_addr l_port pid comm; do
        [[ "$groups" == *" $(proc_group "$pid") "* ]] && continue
        for endpoint in "${!wanted[@]}"; do
            proto="${endpoint##*/}" addr="${endpoint%:*}" port="${endpoint%/*}"
            port="${port##*:}"
            if [ "$proto" != "$l_proto" ] || [ "$port" != "$l_port" ]; then continue; fi
            case "$l_addr" in
                "$addr" | 0.0.0.0 | '*' | ::) printf '%s %s %s\n' "$endpoint" "$comm" "$pid" ;;
            esac
        done
    done < <(listeners)
}

# check_endpoints_free: fail, naming every holder, when another process holds
# an address and port of the lab.
check_endpoints_free() {
    local endpoint comm pid found=0
    command -v ss >/dev/null || die "missing ss (iproute2): run tests/lab/install.sh"
    while read -r endpoint comm pid; do
        log "$endpoint is held by $comm (pid $pid), which this lab did not start"
        found=1
    done < <(foreign_holders | sort -u)
    [ "$found" -eq 0 ] ||
        die "lab addresses are in use (see above): stop those processes, or the lab that started them (its lab.sh down)"
}
