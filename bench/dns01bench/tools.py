# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How each client issues certificates on the lab: one command per group of names.

The collection and the community.crypto flow issue all certificates of a
sample in one ansible-playbook run; lego and certbot run one process per
certificate, as they are used. Every client talks to the same Pebble and
writes the same BIND zone (fallback.test, RFC 2136 with TSIG).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import typing as t

from dns01bench.lab import Lab

# Lab adaptations that favour the peers are listed in bench/README.md.
CERTBOT_PROPAGATION_SECONDS = "1"
LEGO_SEQUENCE_INTERVAL = "1"
LEGO_TTL = "1"
EMAIL = "bench@fallback.test"


@dataclasses.dataclass
class Context:
    """What every client needs: the lab, the repository and the run's scratch space."""

    lab: Lab
    root: str
    workdir: str
    peers_venv: str

    def path(self, *parts: str) -> str:
        return os.path.join(self.workdir, *parts)


@dataclasses.dataclass
class Command:
    argv: list[str]
    env: dict[str, str]
    timeout: float


class Tool:
    """A client under test. ``per_certificate``: one process per certificate."""

    name = ""
    per_certificate = False

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def available(self) -> str | None:
        """None when the client can run here, else why not."""
        return None

    def command(self, names: list[str], sample_dir: str) -> Command:
        raise NotImplementedError

    def failure_detail(self, sample_dir: str) -> str | None:  # pylint: disable=unused-argument
        """What the client logged about its last failure, when its output does not say."""
        return None

    def groups(self, names: list[str]) -> list[list[str]]:
        return [[name] for name in names] if self.per_certificate else [names]


def clean_env(drop: t.Iterable[str] = ()) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in set(drop)}
    env.update(LC_ALL="C.UTF-8", ANSIBLE_NOCOLOR="1")
    return env


def _write_json(path: str, data: t.Any) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
    return path


class Collection(Tool):
    """portable.dns01: playbooks/renew.yml with the renewal role, all certificates in one run."""

    name = "collection"

    def command(self, names: list[str], sample_dir: str) -> Command:
        certificates = [{"id": name, "names": [name, f"*.{name}"], "providers": ["fallback"], "key_type": "ec256",
                         "cert_path": os.path.join(sample_dir, f"{name}.crt"), "key_path": os.path.join(sample_dir, f"{name}.key"),
                         "fullchain_path": os.path.join(sample_dir, f"{name}.fullchain.crt")} for name in names]
        extra = _write_json(os.path.join(sample_dir, "vars.json"), {"bench_workdir": sample_dir, "dns01_renewal_certificates": certificates})
        argv = ["ansible-playbook", "-i", self.ctx.lab.inventory, "-i", os.path.join(self.ctx.root, "bench", "inventory"),
                os.path.join(self.ctx.root, "playbooks", "renew.yml"), "-e", f"@{extra}"]
        return Command(argv, clean_env(), 120 + 15 * len(names))


class Lego(Tool):
    """lego (Debian package) with its rfc2136 provider, one process per certificate."""

    name = "lego"
    per_certificate = True

    def available(self) -> str | None:
        missing = [tool for tool in ("lego", "unshare", "mount") if not shutil.which(tool)]
        return f"not installed: {', '.join(missing)}" if missing else None

    def _resolv_conf(self) -> str:
        # lego looks nameserver names up through /etc/resolv.conf, which does not
        # know the lab: it runs in a private mount namespace that sees the lab resolver.
        path = self.ctx.path("lego-resolv.conf")
        if not os.path.exists(path):
            with open(path, "w", encoding="ascii") as handle:
                handle.write(f"nameserver {self.ctx.lab['LAB_RESOLVER']}\n")
        return path

    def _env(self) -> dict[str, str]:
        lab = self.ctx.lab
        env = clean_env(("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH"))
        env.update(RFC2136_NAMESERVER=lab["LAB_BIND_SERVER"], RFC2136_TSIG_KEY=lab["LAB_BIND_TSIG_NAME"],
                   RFC2136_TSIG_SECRET=lab["LAB_BIND_TSIG_SECRET"], RFC2136_TSIG_ALGORITHM=lab["LAB_BIND_TSIG_ALGORITHM"] + ".",
                   RFC2136_SEQUENCE_INTERVAL=LEGO_SEQUENCE_INTERVAL, RFC2136_TTL=LEGO_TTL, LEGO_CA_CERTIFICATES=lab["LAB_TLS_CA_BUNDLE"])
        return env

    def command(self, names: list[str], sample_dir: str) -> Command:
        lab = self.ctx.lab
        name = names[0]
        argv = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"', self._resolv_conf(),
                "lego", "--server", lab["LAB_PEBBLE_DIRECTORY"], "--email", EMAIL, "--accept-tos", "--key-type", "ec256",
                "--dns", "rfc2136", "--dns.resolvers", f"{lab['LAB_RESOLVER']}:53", "--path", os.path.join(sample_dir, "lego"),
                "-d", name, "-d", f"*.{name}", "run"]
        return Command(argv, self._env(), 120)


class Certbot(Tool):
    """certbot (Debian package) with certbot-dns-rfc2136, one process per certificate."""

    name = "certbot"
    per_certificate = True

    def available(self) -> str | None:
        if not shutil.which("certbot"):
            return "not installed: certbot"
        if not os.path.isdir("/usr/lib/python3/dist-packages/certbot_dns_rfc2136"):
            return "not installed: python3-certbot-dns-rfc2136"
        return None

    def _credentials(self) -> str:
        path = self.ctx.path("certbot-rfc2136.ini")
        if not os.path.exists(path):
            lab = self.ctx.lab
            text = (f"dns_rfc2136_server = {lab['LAB_BIND_SERVER']}\ndns_rfc2136_port = 53\n"
                    f"dns_rfc2136_name = {lab['LAB_BIND_TSIG_NAME']}\ndns_rfc2136_secret = {lab['LAB_BIND_TSIG_SECRET']}\n"
                    f"dns_rfc2136_algorithm = {lab['LAB_BIND_TSIG_ALGORITHM'].upper()}\n")
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(text)
        return path

    def failure_detail(self, sample_dir: str) -> str | None:
        """The last ACME problem in certbot's log: on screen it may show only an AttributeError."""
        try:
            with open(os.path.join(sample_dir, "certbot", "logs", "letsencrypt.log"), encoding="utf-8") as handle:
                problems = [line.strip() for line in handle if "urn:ietf:params:acme:error:" in line]
        except OSError:
            return None
        return f"(log: {problems[-1][:200]})" if problems else None

    def command(self, names: list[str], sample_dir: str) -> Command:
        lab = self.ctx.lab
        name = names[0]
        base = os.path.join(sample_dir, "certbot")
        argv = ["certbot", "certonly", "--non-interactive", "--agree-tos", "--no-eff-email", "-m", EMAIL,
                "--server", lab["LAB_PEBBLE_DIRECTORY"], "--config-dir", f"{base}/config", "--work-dir", f"{base}/work",
                "--logs-dir", f"{base}/logs", "--key-type", "ecdsa", "--dns-rfc2136",
                "--dns-rfc2136-credentials", self._credentials(),
                "--dns-rfc2136-propagation-seconds", CERTBOT_PROPAGATION_SECONDS, "-d", name, "-d", f"*.{name}"]
        env = clean_env(("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH"))
        env["REQUESTS_CA_BUNDLE"] = lab["LAB_TLS_CA_BUNDLE"]
        return Command(argv, env, 120)


class CommunityCrypto(Tool):
    """community.crypto's acme_certificate in two steps, with community.general.nsupdate in between.

    Runs from its own virtualenv (the ``ansible`` package of PyPI), all
    certificates in one playbook run, as its documentation shows.
    """

    name = "community.crypto"

    def _playbook_bin(self) -> str:
        return os.path.join(self.ctx.peers_venv, "bin", "ansible-playbook")

    def available(self) -> str | None:
        if not os.access(self._playbook_bin(), os.X_OK):
            return f"no peer virtualenv at {self.ctx.peers_venv} (scripts/bench.sh creates it unless BENCH_COMMUNITY_CRYPTO=0)"
        return None

    def command(self, names: list[str], sample_dir: str) -> Command:
        lab = self.ctx.lab
        extra = _write_json(os.path.join(sample_dir, "vars.json"), {
            "bench_workdir": sample_dir, "bench_names": names, "bench_directory": lab["LAB_PEBBLE_DIRECTORY"],
            "bench_email": EMAIL, "bench_zone": lab["LAB_BIND_ZONE"], "bench_server": lab["LAB_BIND_SERVER"],
            "bench_key_name": lab["LAB_BIND_TSIG_NAME"], "bench_key_secret": lab["LAB_BIND_TSIG_SECRET"],
            "bench_key_algorithm": lab["LAB_BIND_TSIG_ALGORITHM"]})
        argv = [self._playbook_bin(), "-i", "localhost,", "-c", "local",
                os.path.join(self.ctx.root, "bench", "playbooks", "community_crypto_issue.yml"), "-e", f"@{extra}"]
        env = clean_env(("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH"))
        # acme_certificate has no CA bundle option; Python's default context reads this.
        env["SSL_CERT_FILE"] = lab["LAB_TLS_CA_BUNDLE"]
        env["ANSIBLE_PYTHON_INTERPRETER"] = os.path.join(self.ctx.peers_venv, "bin", "python")
        return Command(argv, env, 120 + 15 * len(names))


TOOLS: dict[str, type[Tool]] = {tool.name: tool for tool in (Collection, Lego, Certbot, CommunityCrypto)}
