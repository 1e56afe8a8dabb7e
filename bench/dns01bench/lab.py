# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared local lab as the benchmarks use it: settings, lock, faults, records.

Other runs use the lab at the same time. Like the lab tests, a benchmark
holds ``state/lab.lock`` shared while it only reads the lab's world, and
exclusive while it switches a fault, one measurement at a time so others can
get in between.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import time
import typing as t

import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.tsigkeyring
import dns.update
import dns.zone

LOCK_WAIT = 600.0
DNS_TIMEOUT = 5.0


def challenge_value(seed: str) -> str:
    """A TXT value shaped like a DNS-01 key authorization digest (43 characters)."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode().rstrip("=")


class LabError(Exception):
    """The lab is not in the state a benchmark needs."""


class Lab:
    """The lab's settings (``state/lab.json``) and the operations on them."""

    def __init__(self, root: str) -> None:
        self.root = root
        # Where a wait for the lab lock is announced (bench/run.py: its progress lines).
        self.say: t.Callable[[str], None] = lambda _text: None
        self.state_dir = os.path.join(root, "tests", "lab", "state")
        self.script = os.path.join(root, "tests", "lab", "lab.sh")
        with open(os.path.join(self.state_dir, "lab.json"), encoding="utf-8") as handle:
            self.env: dict[str, str] = json.load(handle)

    def __getitem__(self, key: str) -> str:
        return self.env[key]

    @property
    def inventory(self) -> str:
        return os.path.join(self.state_dir, "inventory.yml")

    @contextlib.contextmanager
    def locked(self, exclusive: bool = False, wait: float = LOCK_WAIT) -> t.Iterator[None]:
        """Hold ``state/lab.lock``: shared to use the lab, exclusive to change its faults."""
        path = os.path.join(self.state_dir, "lab.lock")
        with open(path, "a", encoding="ascii") as handle:
            _flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, wait,
                   lambda: self.say(f"waiting for {path} (held by {Lab.holders(path) or 'an unknown process'})"))
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def holders(path: str) -> str:
        """The processes with ``path`` open, as "command (pid N)" words."""
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            if int(pid) == os.getpid():
                continue
            try:
                if any(os.readlink(f"/proc/{pid}/fd/{fd}") == path for fd in os.listdir(f"/proc/{pid}/fd")):
                    with open(f"/proc/{pid}/comm", encoding="utf-8") as handle:
                        found.append(f"{handle.read().strip()} (pid {pid})")
            except OSError:
                continue
        return ", ".join(found)

    def fault_mode(self, name: str) -> str:
        try:
            with open(os.path.join(self.state_dir, "faults", name), encoding="ascii") as handle:
                return handle.read().strip() or "none"
        except OSError:
            return "none"

    def set_fault(self, name: str, mode: str) -> None:
        subprocess.run([self.script, "fault", name, mode], check=True, stdout=subprocess.DEVNULL, timeout=60)

    @contextlib.contextmanager
    def fault(self, name: str, mode: str, marker: str) -> t.Iterator[None]:
        """Switch a fault on, and back to ``none`` however the block ends.

        ``marker`` exists while the fault is on, so the shell entry point can
        restore it if this process is killed outright.
        """
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(marker, "w", encoding="ascii") as handle:
            handle.write(name + "\n")
        try:
            self.set_fault(name, mode)
            yield
        finally:
            self.set_fault(name, "none")
            os.unlink(marker)

    def keyring(self, prefix: str) -> tuple[t.Any, str]:
        """The TSIG keyring and algorithm of ``LAB_<prefix>_TSIG_*``."""
        name = self[f"LAB_{prefix}_TSIG_NAME"]
        ring = dns.tsigkeyring.from_text({name: self[f"LAB_{prefix}_TSIG_SECRET"]})
        return ring, self[f"LAB_{prefix}_TSIG_ALGORITHM"]


def _flock(handle: t.IO[str], mode: int, wait: float, on_wait: t.Callable[[], None]) -> None:
    deadline = time.monotonic() + wait
    waited = False
    while True:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError as exc:
            if time.monotonic() > deadline:
                raise LabError(f"state/lab.lock held by {Lab.holders(handle.name) or 'another run'}"
                               f" for {wait:.0f} s") from exc
            if not waited:
                on_wait()
                waited = True
            time.sleep(0.25)


class Zone:
    """One lab zone written with TSIG-signed updates (RFC 2136)."""

    def __init__(self, lab: Lab, zone: str, server: str, key_prefix: str) -> None:
        self.zone = zone
        self.server = server
        self.keyring, self.algorithm = lab.keyring(key_prefix)

    def _send(self, update: dns.update.UpdateMessage) -> None:
        response = dns.query.tcp(update, self.server, timeout=DNS_TIMEOUT)
        if response.rcode() != dns.rcode.NOERROR:
            raise LabError(f"update of {self.zone} at {self.server}: {dns.rcode.to_text(response.rcode())}")

    def _update(self) -> dns.update.UpdateMessage:
        return dns.update.UpdateMessage(self.zone, keyring=self.keyring, keyalgorithm=self.algorithm)

    def add_txt(self, name: str, values: list[str], ttl: int = 60) -> None:
        update = self._update()
        for value in values:
            update.add(dns.name.from_text(name), ttl, "TXT", value)
        self._send(update)

    def delete_txt(self, names: t.Iterable[str]) -> int:
        """Delete every TXT value at ``names``; the number of names."""
        update = self._update()
        count = 0
        for name in names:
            update.delete(dns.name.from_text(name), "TXT")
            count += 1
        if count:
            self._send(update)
        return count

    def txt_names(self, label_prefix: str) -> list[str]:
        """TXT owner names whose first label after ``_acme-challenge.`` starts with ``label_prefix`` (AXFR)."""
        zone = dns.zone.from_xfr(dns.query.xfr(self.server, self.zone, timeout=DNS_TIMEOUT))
        origin = dns.name.from_text(self.zone)
        found = []
        for relative, node in zone.nodes.items():
            labels = [label.decode() for label in relative.labels]
            if len(labels) > 1 and labels[0] == "_acme-challenge" and labels[1].startswith(label_prefix) \
                    and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT):
                found.append(relative.derelativize(origin).to_text())
        return found

    def sweep(self, label_prefix: str) -> int:
        """Remove challenge records a run left behind; the number of names removed."""
        return self.delete_txt(self.txt_names(label_prefix))
