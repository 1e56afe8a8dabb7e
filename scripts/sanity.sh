#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection laid out as
# ansible_collections/portable/dns01, which ansible-test requires.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
DEST="$ROOT/.build/sanity/ansible_collections/portable/dns01"

copy_collection() {
    rm -rf "$DEST"
    mkdir -p "$DEST"
    # Tracked and new files, not ignored ones: what a clean clone would hold.
    # .venv may be a link to a shared virtualenv, which "/.venv/" does not
    # ignore; .home is a HOME kept in the tree (ansible-test's cache).
    (cd "$ROOT" && git ls-files -co --exclude-standard -z -- . ':!:.venv' ':!:.home' | tar --null -cf - -T -) | tar -xf - -C "$DEST"
    # ansible-test lists files through git when it finds a repository.
    git -C "$DEST" init -q
    git -C "$DEST" add -A
}

copy_collection
cd "$DEST"
ansible-test sanity --python 3.11 --color no "$@"
