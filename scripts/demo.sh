#!/usr/bin/env bash
# The main job on the local lab, in one renewal run while the primary DNS
# provider's API (PowerDNS) refuses connections, two certificates side by side:
#   example  example.test + *.example.test, whose challenge was delegated once
#            (while the API was up) into fallback.test (BIND, RFC 2136): the
#            primary's API is not needed at all;
#   www      www.example.test, not delegated: its challenge goes through the
#            provider chain [primary (HTTP API), primary-rfc2136 (the same
#            PowerDNS zone through RFC 2136)]; the API fails, the chain fails
#            over and the second link publishes.
# Playbook output goes to .build/demo/*.log; the screen shows each step, then
# every provider attempt with its time, then both certificates.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB="$ROOT/tests/lab/lab.sh"
LOGS="$ROOT/.build/demo"

log() { printf '\n==> %s\n' "$*"; }

# quietly NAME COMMAND...: COMMAND's output to LOGS/NAME.log; its tail on failure.
quietly() {
    local name="$1" start=$SECONDS
    shift
    if ! "$@" >"$LOGS/$name.log" 2>&1; then
        printf 'FAILED; last lines of %s:\n' "$LOGS/$name.log"
        tail -n 40 "$LOGS/$name.log" | sed 's/^/    /'
        return 1
    fi
    printf '    done in %d s (output: %s)\n' "$((SECONDS - start))" "${LOGS#"$ROOT"/}/$name.log"
}

# The demo shows what happens on the first call into an outage: a breaker
# state left open by an earlier run would skip the primary without calling it.
DEMO_BREAKER="$ROOT/.build/demo/breaker.json"

playbook() {
    DNS01_BREAKER_STATE_FILE="$DEMO_BREAKER" \
        ansible-playbook -i "$ROOT/tests/lab/state/inventory.yml" -i "$ROOT/inventories/lab" "$@"
}

restore_primary() { "$LAB" fault pdns none >/dev/null 2>&1 || true; }

# attempts JUNIT_DIR ZONE: each certificate's provider attempts, read from the
# result of the role's publish task (the junit callback records it), with the
# time each attempt took.
attempts() {
    python - "$@" <<'PY'
import glob, json, re, sys
import xml.etree.ElementTree as ET

junit_dir, zone = sys.argv[1:3]
certificates = {
    f"_acme-challenge.{zone}": ("example", "delegated: _acme-challenge." + zone + " is a CNAME into fallback.test"),
    f"_acme-challenge.www.{zone}": ("www", "not delegated: published through the chain [primary, primary-rfc2136]"),
}


def short(message):
    found = re.search(r"\[Errno \d+\] [^\"')]+", message or "")
    text = found.group(0) if found else (message or "")
    return text if len(text) <= 90 else text[:87] + "..."


records = []
for path in glob.glob(junit_dir + "/*.xml"):
    for case in ET.parse(path).getroot().iter("testcase"):
        out = case.find("system-out")
        try:
            result = json.loads(out.text if out is not None else "")
        except ValueError:
            continue
        for item in result.get("results", []) if isinstance(result, dict) else []:
            records += [record for record in item.get("records", []) if "attempts" in record]
by_name = {record["name"]: record for record in records}
for name, (cert, how) in certificates.items():
    print(f"  {cert}: {how}")
    record = by_name.get(name)
    if record is None:
        print("    no challenge record was published for it (see .build/demo/renew.log)")
        continue
    failed = [a for a in record["attempts"] if a.get("outcome") == "failed"]
    for attempt in record["attempts"]:
        detail = short(attempt.get("message"))
        if attempt.get("error_class"):
            detail = f"{attempt['error_class']}: {detail}"
        print(f"    {attempt['provider']:16} {attempt['outcome']:10} {attempt.get('elapsed_ms', 0):6} ms  {detail}")
    carried = [a["provider"] for a in record["attempts"] if a.get("outcome") == "published"]
    if failed:
        print(f"    => the primary failed {len(failed)} time(s) in {sum(a.get('elapsed_ms', 0) for a in failed)} ms,"
              f" then {', '.join(carried)} published")
    elif not any(a["provider"] == "primary" and a.get("outcome") == "published" for a in record["attempts"]):
        print(f"    => the primary's API was not called; {', '.join(carried)} published")
PY
}

show_certificate() {
    local id="$1" dir="$LAB_STATE_DIR/demo"
    printf '  %s: ' "$id"
    openssl x509 -in "$dir/$id.crt" -noout -ext subjectAltName -enddate | tr '\n' ' ' | sed 's/X509v3 Subject Alternative Name: *//; s/  */ /g'
    printf '\n    '
    openssl verify -CAfile "$LAB_PEBBLE_ROOT" -untrusted "$dir/$id.chain.crt" "$dir/$id.crt"
}

main() {
    local junit start
    mkdir -p "$LOGS" "$(dirname "$DEMO_BREAKER")"
    rm -f "$DEMO_BREAKER"
    log "Set-up (Debian packages, virtualenv; the first run installs them, a few minutes)"
    quietly bootstrap "$ROOT/scripts/bootstrap.sh"
    log "Starting the local lab"
    quietly lab-up "$LAB" up
    # shellcheck source=scripts/env.sh
    . "$ROOT/scripts/env.sh"
    cd "$ROOT"

    log "Delegating _acme-challenge.example.test into fallback.test (once, while the primary's API works)"
    quietly delegate playbook playbooks/delegate.yml

    log "Taking the primary provider's API down: connections to PowerDNS's API are refused, its DNS still answers"
    trap restore_primary EXIT
    "$LAB" fault pdns refused
    printf '    PowerDNS API %s: %s\n' "$LAB_PDNS_API_URL" \
        "$(curl -sS -m 3 -o /dev/null "$LAB_PDNS_API_URL/api/v1/servers" 2>&1 || true)"
    printf '    PowerDNS DNS %s still answers: example.test A %s\n' "$LAB_PDNS_DNS" \
        "$(dig +short @"$LAB_PDNS_DNS" example.test A)"

    log "Renewing both certificates in one run: example (delegated) and www (provider chain)"
    # A new ACME account each time: Pebble reuses an account's valid
    # authorizations at random, and a reused one needs no challenge to show.
    rm -f "$LAB_STATE_DIR/demo/account.key"
    # The junit callback keeps the publish task's result, attempts and their
    # times included, in a private directory deleted right after reading.
    junit="$(mktemp -d)"
    start=$SECONDS
    ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.junit JUNIT_OUTPUT_DIR="$junit" JUNIT_HIDE_TASK_ARGUMENTS=true \
        JUNIT_TEST_CASE_PREFIX="portable.dns01.renewal : Publish" \
        quietly renew playbook playbooks/renew.yml -e dns01_renewal_force=true || { rm -rf "$junit"; exit 1; }
    log "Provider attempts of that run ($((SECONDS - start)) s for both certificates, order to installation)"
    attempts "$junit" "$LAB_PDNS_ZONE" || true
    rm -rf "$junit"

    log "The certificates, verified against the lab CA's root"
    show_certificate example
    show_certificate www
    log "Done: both issued while the primary's API was down. 'make lab-down' stops the lab."
}

main "$@"
