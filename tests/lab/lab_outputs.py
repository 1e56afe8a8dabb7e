"""Write lab.env, lab.json and inventory.yml from KEY=VALUE lines on stdin.

lab.sh knows the values; this keeps quoting right in three formats.
"""

import json
import os
import shlex
import sys


def read_pairs(stream):
    pairs = {}
    for line in stream:
        line = line.rstrip("\n")
        if line:
            key, _sep, value = line.partition("=")
            pairs[key] = value
    return pairs


def write_atomic(path, text, mode=0o600):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def env_text(pairs):
    lines = ["# Written by tests/lab/lab.sh up: the lab's addresses and secrets."]
    lines += ["%s=%s" % (key, shlex.quote(value)) for key, value in pairs.items()]
    return "\n".join(lines) + "\n"


def inventory_text(pairs, python):
    # JSON strings are valid YAML scalars, so no YAML library is needed.
    lines = [
        "# Written by tests/lab/lab.sh up.",
        "lab:",
        "  hosts:",
        "    localhost:",
        "      ansible_connection: local",
        "      ansible_python_interpreter: %s" % json.dumps(python),
    ]
    lines += ["      %s: %s" % (key.lower(), json.dumps(value)) for key, value in pairs.items()]
    return "\n".join(lines) + "\n"


def main():
    state_dir, python = sys.argv[1], sys.argv[2]
    pairs = read_pairs(sys.stdin)
    write_atomic(os.path.join(state_dir, "lab.env"), env_text(pairs))
    write_atomic(os.path.join(state_dir, "lab.json"), json.dumps(pairs, indent=2) + "\n")
    write_atomic(os.path.join(state_dir, "inventory.yml"), inventory_text(pairs, python))


if __name__ == "__main__":
    main()
