#!/usr/bin/env bash
# The AWX execution environment's build context: builds the collection,
# runs `ansible-builder create` on awx/execution-environment.yml (no
# container engine needed) and checks that the context installs the
# collection and every dependency the collection declares; then
# `ansible-builder introspect` must see those dependencies too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
AWX_VENV="${DNS01_AWX_VENV:-$ROOT/.venv-awx}"
WORK="$ROOT/.build/ee"
BUILDER="$AWX_VENV/bin/ansible-builder"

fail() { echo "ee-check: $*" >&2; exit 1; }

build_collection() {
    rm -rf "$WORK" && mkdir -p "$WORK/collection" "$WORK/collections"
    ansible-galaxy collection build --force --output-path "$WORK" "$ROOT" >/dev/null
    cp "$WORK"/portable-dns01-*.tar.gz "$WORK/collection/portable-dns01.tar.gz"
    cp "$ROOT/awx/execution-environment.yml" "$WORK/"
    ansible-galaxy collection install --force -p "$WORK/collections" "$WORK/collection/portable-dns01.tar.gz" >/dev/null
}

check_context() {
    local context="$WORK/context" containerfile
    "$BUILDER" create -f "$WORK/execution-environment.yml" -c "$context" >/dev/null
    [ -f "$context/_build/collection/portable-dns01.tar.gz" ] || fail "the collection is not in the build context"
    grep -q "portable-dns01.tar.gz" "$context/_build/requirements.yml" || fail "requirements.yml does not install the collection"
    # Containerfile with podman on PATH, Dockerfile otherwise.
    containerfile="$context/Containerfile"
    [ -f "$containerfile" ] || containerfile="$context/Dockerfile"
    [ -f "$containerfile" ] || fail "ansible-builder wrote no Containerfile"
    grep -q "COPY _build /build" "$containerfile" || fail "$containerfile does not copy the collection into the galaxy stage"
    grep -q "ansible-core>=2.19" "$containerfile" || fail "$containerfile does not pin ansible-core"
}

check_introspection() {
    local out="$WORK/introspect.txt" requirement
    "$BUILDER" introspect --sanitize "$WORK/collections" > "$out"
    for requirement in acme cryptography dns-lexicon dnspython boto3 redis requests; do
        grep -qiE "^- '?${requirement}([<>=!~ '[]|$)" "$out" || fail "introspect does not list $requirement (see $out)"
    done
    grep -q "libffi" "$out" || fail "introspect does not list the system packages of bindep.txt (see $out)"
}

[ -x "$BUILDER" ] || fail "no ansible-builder in $AWX_VENV: run scripts/bootstrap.sh"
build_collection
check_context
check_introspection
echo "ee-check: build context and introspection hold every dependency"
