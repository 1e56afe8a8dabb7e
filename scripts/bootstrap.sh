#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs before the demo or the tests:
# the lab's Debian packages, the project virtualenv and ansible-test's offline
# pip bootstrap; with --awx also .venv-awx (awx.awx and ansible-builder) for
# the test command's AWX checks. Idempotent: a second run only checks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${DNS01_BOOTSTRAP_PYTHON:-python3}"

log() { printf '==> %s\n' "$*"; }

# What the lab runs on, plus the tools the test suite calls: shellcheck
# (ansible-test skips its shell checks silently without it), git and make.
install_debian_packages() {
    log "Debian packages for the lab and the test tools"
    "$ROOT/tests/lab/install.sh" shellcheck git make
}

requirements_digest() {
    cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" | sha256sum | cut -d' ' -f1
}

create_venv() {
    local stamp="$VENV/.requirements.sha256" digest
    digest="$(requirements_digest)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
        log "virtualenv up to date: $VENV"
        return
    fi
    log "virtualenv with requirements-dev.txt: $VENV (pip install, a few minutes the first time)"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r "$ROOT/requirements-dev.txt"
    echo "$digest" > "$stamp"
}

# awx.awx (for the AWX configuration in awx/) ships with the `ansible`
# package, and ansible-builder checks the execution environment; both live
# in a virtualenv of their own so the project's stays on ansible-core alone.
create_awx_venv() {
    local venv="$ROOT/.venv-awx" stamp="$ROOT/.venv-awx/.requirements"
    local wanted="ansible>=12,<13 ansible-builder>=3.1,<4"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        log "AWX virtualenv up to date: $venv"
        return
    fi
    log "AWX virtualenv (awx.awx, ansible-builder): $venv"
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install --quiet $wanted
    echo "$wanted" > "$stamp"
}

# ansible-test downloads get-pip.py from a host outside the package registries;
# give it the offline stand-in under the name it looks for.
seed_ansible_test_pip() {
    local version cache
    version="$("$VENV/bin/python" - <<'PY'
import re, ansible_test, pathlib
text = (pathlib.Path(ansible_test.__file__).parent / "_internal/python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", text).group(1))
PY
)"
    cache="$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
    mkdir -p "$(dirname "$cache")"
    cp "$ROOT/scripts/ansible-test-get-pip.py" "$cache"
}

main() {
    install_debian_packages
    create_venv
    # Only the test command checks the AWX configuration: the demo skips it.
    if [ "${1:-}" = --awx ]; then create_awx_venv; fi
    seed_ansible_test_pip
    log "bootstrap done"
}

main "$@"
