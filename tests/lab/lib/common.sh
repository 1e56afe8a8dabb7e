# shellcheck shell=bash
# Helpers shared by lab.sh: messages, templates, background processes, probes.

log() { printf 'lab: %s\n' "$*" >&2; }

die() {
    printf 'lab: ERROR: %s\n' "$*" >&2
    exit 1
}

# render TEMPLATE OUT KEY=VALUE...: copy TEMPLATE to OUT replacing @KEY@.
# Values are paths, addresses and hex/base64 secrets: none holds a '|'.
render() {
    local template="$1" out="$2" pair script=()
    shift 2
    for pair in "$@"; do
        script+=(-e "s|@${pair%%=*}@|${pair#*=}|g")
    done
    sed "${script[@]}" "$template" >"$out"
}

# --- processes --------------------------------------------------------------
# Each service runs in its own session (setsid) so it outlives the shell that
# ran "lab.sh up" and can be stopped as a process group. Its pid file holds the
# pid and the process start time, so a recycled pid is never mistaken for it.

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }

proc_start_time() {
    # Field 22 of /proc/PID/stat; fields are counted after the "(comm)" part.
    sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# A killed service stays a zombie until PID 1 reaps it (seconds, here).
proc_is_zombie() {
    [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = Z ]
}

service_pid() {
    local file pid started
    file="$(pid_file "$1")"
    [ -f "$file" ] || return 1
    { read -r pid; read -r started; } <"$file" || true
    [ -n "${pid:-}" ] && [ -n "${started:-}" ] || return 1
    [ "$(proc_start_time "$pid")" = "$started" ] || return 1
    ! proc_is_zombie "$pid" || return 1
    printf '%s\n' "$pid"
}

service_alive() { service_pid "$1" >/dev/null; }

# close_inherited_fds: close every descriptor above 2. A daemon must not keep
# what its starter had open: "flock state/lab.lock lab.sh up" would otherwise
# leave the lock held by the lab's servers for as long as they run.
close_inherited_fds() {
    local fd
    for fd in /proc/"$BASHPID"/fd/*; do
        fd="${fd##*/}"
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
}

# launch NAME COMMAND...: start COMMAND in the background, log to logs/NAME.log.
launch() {
    local name="$1" log pid
    shift
    log="$LOG_DIR/$name.log"
    printf '=== %s start: %s\n' "$(date '+%F %T')" "$*" >>"$log"
    (
        close_inherited_fds
        exec setsid "$@" >>"$log" 2>&1 </dev/null
    ) &
    pid="$!"
    printf '%s\n%s\n' "$pid" "$(proc_start_time "$pid")" >"$(pid_file "$name")"
}

stop_service() {
    local name="$1" pid
    pid="$(service_pid "$name")" || { rm -f "$(pid_file "$name")"; return 0; }
    # The service leads its own process group (setsid): stop its children too.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        service_alive "$name" || break
        sleep 0.1
    done
    if service_alive "$name"; then
        log "$name did not stop on TERM after 5 s, killing it"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$(pid_file "$name")"
}

log_tail() {
    local log="$LOG_DIR/$1.log"
    printf -- '--- last lines of %s ---\n' "$log" >&2
    tail -n 25 "$log" >&2 2>/dev/null || true
}

# --- probes -------------------------------------------------------------------

# dns_rcode SERVER NAME TYPE [DIG-OPTION]: print the rcode of one UDP query
# (or "timeout"). Authoritative by default; pass +recurse to ask a resolver.
dns_rcode() {
    local out
    out="$(dig +time=1 +tries=1 "${4:-+norecurse}" "@$1" "$2" "$3" 2>/dev/null)" || {
        echo timeout
        return 0
    }
    sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out"
}

dns_answers() { [ "$(dns_rcode "$@")" = NOERROR ]; }

# dns_serial SERVER ZONE: the zone's SOA serial as SERVER serves it.
dns_serial() {
    dig +time=1 +tries=1 +short +norecurse "@$1" "$2" SOA 2>/dev/null | awk '{print $3}'
}

# http_code URL [curl options...]: print the status code, 000 when no answer.
http_code() {
    local url="$1"
    shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

http_answers() { [ "$(http_code "$@")" != 000 ]; }

# --- loopback addresses -------------------------------------------------------

# BIND only binds addresses present on an interface; the others need them too
# to be reachable under a stable name. Added ones are recorded for "down".
ensure_addresses() {
    local addr present
    present="$(ip -4 addr show dev lo)"
    for addr in "${LAB_ADDRESSES[@]}"; do
        if ! grep -q "inet $addr/" <<<"$present"; then
            ip addr add "$addr/32" dev lo
            printf '%s\n' "$addr" >>"$STATE_DIR/added-addresses"
            UP_ADDED_ADDRESSES+=("$addr")
        fi
    done
}

remove_added_addresses() {
    local file="$STATE_DIR/added-addresses" addr
    [ -f "$file" ] || return 0
    while read -r addr; do
        ip addr del "$addr/32" dev lo 2>/dev/null || true
    done <"$file"
    rm -f "$file"
}

# remove_addresses_added_now: undo ensure_addresses of this run only.
remove_addresses_added_now() {
    local file="$STATE_DIR/added-addresses" addr
    for addr in "${UP_ADDED_ADDRESSES[@]+"${UP_ADDED_ADDRESSES[@]}"}"; do
        ip addr del "$addr/32" dev lo 2>/dev/null || true
        if [ -f "$file" ]; then
            grep -vx -F "$addr" "$file" >"$file.new" || true
            mv "$file.new" "$file"
        fi
    done
    UP_ADDED_ADDRESSES=()
}
