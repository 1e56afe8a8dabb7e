# shellcheck shell=bash
# Source this to work in the project's environment: the virtualenv, and the
# collection visible as ansible_collections/portable/dns01.
_dns01_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DNS01_ROOT="$_dns01_root"
mkdir -p "$_dns01_root/.build/collections/ansible_collections/portable"
ln -sfn "$_dns01_root" "$_dns01_root/.build/collections/ansible_collections/portable/dns01"
export PATH="$_dns01_root/.venv/bin:$PATH"
export PYTHONPATH="$_dns01_root/.build/collections${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_COLLECTIONS_PATH="$_dns01_root/.build/collections"
# Where molecule's scenarios are: said here, molecule does not guess from
# galaxy.yml and warn that collections keep them in extensions/molecule.
export MOLECULE_GLOB="molecule/*/molecule.yml"
if [ -f "$_dns01_root/tests/lab/state/lab.env" ]; then
    set -a
    # shellcheck disable=SC1091
    . "$_dns01_root/tests/lab/state/lab.env"
    set +a
fi
