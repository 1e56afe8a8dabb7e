# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The machine a run was made on, and the short text table of its figures."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import typing as t


def _command_output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False).stdout.strip()
    except OSError:
        return ""


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _debian_version(package: str) -> str:
    return _command_output(["dpkg-query", "-W", "-f", "${Version}", package]) or "absent"


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            fields = dict(line.rstrip("\n").split("=", 1) for line in handle if "=" in line)
        return fields.get("PRETTY_NAME", "").strip('"')
    except OSError:
        return platform.platform()


def machine_stamp() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def machine(peers_venv: str) -> dict[str, t.Any]:
    """Where and with what the figures were made."""
    peer_galaxy = os.path.join(peers_venv, "bin", "ansible-galaxy")
    crypto = _command_output([peer_galaxy, "collection", "list", "community.crypto"]) if os.access(peer_galaxy, os.X_OK) else ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(), "os": _os_name(), "cpu": _cpu_model(), "cores": os.cpu_count(),
        "load_start": os.getloadavg()[0],
        "versions": {
            "ansible-core": _command_output(["ansible", "--version"]).split("\n", 1)[0],
            "lego": _debian_version("lego"), "certbot": _debian_version("certbot"),
            "python3-certbot-dns-rfc2136": _debian_version("python3-certbot-dns-rfc2136"),
            "community.crypto": next((line.split()[-1] for line in crypto.splitlines() if line.startswith("community.crypto ")), "absent"),
            "pebble": _debian_version("pebble"), "bind9": _debian_version("bind9"),
        },
    }


def _ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def _mib(kib: int | None) -> str:
    return f"{kib / 1024:.0f} MiB" if kib else "-"


def issuance_lines(result: dict[str, t.Any]) -> list[str]:
    lines = ["1. Issuance per certificate (median over samples; ratio = peer / collection, above 1: the collection is cheaper)",
             "   peak RSS: the largest resident set of one process of the client (KiB / 1024), over its samples",
             f"   {'client':17} {'N':>4} {'samples':>7} {'wall/cert':>10} {'cpu/cert':>9} {'wall ratio':>10} {'cpu ratio':>9}"
             f" {'peak RSS':>9} {'failures':>8}"]
    for row in result["summary"].values():
        lines.append(f"   {row['tool']:17} {row['count']:>4} {row['samples']:>7} {row['wall_per_cert']:>8.2f} s {row['cpu_per_cert']:>7.2f} s"
                     f" {_ratio(row.get('wall_ratio')):>10} {_ratio(row.get('cpu_ratio')):>9} {_mib(row.get('max_rss_kb')):>9}"
                     f" {row['failures']:>8}")
    for sample in result["samples"]:
        lines += [f"   failed once, retried: {sample['tool']} N={sample['count']}: {error}" for error in sample["errors"]]
    for row in result["summary"].values():
        lines += _profile_lines(row)
    return lines


def _profile_lines(row: dict[str, t.Any], top: int = 12) -> list[str]:
    """Where an ansible-playbook client's wall time goes, per certificate, dearest tasks first."""
    tasks = row.get("tasks") or {}
    if not tasks:
        return []
    lines = [f"   {row['tool']} N={row['count']}: wall seconds per certificate by task (median), dearest first"]
    for name, seconds in sorted(tasks.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"     {seconds:7.3f} s  {name}")
    return lines


def failover_lines(result: dict[str, t.Any]) -> list[str]:
    lines = [f"2. Failover: {result['records']} records, PowerDNS API faulted, chain [lexicon, rfc2136]"
             f" (connect_timeout {result['settings']['connect_timeout']} s)"]
    for row in result["variants"]:
        lines.append(f"   {row['variant']:10} {row.get('fault', 'blackhole'):9} {row['wall']:7.2f} s  published {row['published']}/{row['records']}"
                     f"  peak RSS {_mib(row.get('max_rss_kb'))}  {'ok' if row['ok'] else 'FAILED'}")
    if "ratio_no_breaker_over_breaker" in result:
        lines.append(f"   ratio no_breaker / breaker: {result['ratio_no_breaker_over_breaker']:.2f}")
    if "ratio_breaker_over_refused" in result:
        lines.append(f"   ratio breaker (black-holed) / refused: {result['ratio_breaker_over_refused']:.2f}")
    return lines


def propagation_lines(result: dict[str, t.Any]) -> list[str]:
    lego = result.get("lego_wait")
    lines = ["3. propagation_wait: TSIG update to module exit (median); ratio = reference / propagation_wait",
             f"   lego's propagation step (from benchmark 1): {f'{lego:.2f} s' if lego else 'not measured'}"]
    for row in result["zones"]:
        latency = f"{row['latency']:6.2f} s" if row["latency"] is not None else "failed"
        lines.append(f"   {row['zone']:14} {len(row['servers'])} server(s) {latency}  60 s sleep: {_ratio(row.get('fixed_sleep_ratio'))}"
                     f"  lego: {_ratio(row.get('lego_ratio'))}  failures {row['failures']}")
    return lines


def floor_lines(result: dict[str, t.Any]) -> list[str]:
    rows, tasks = result["rows"], result["module_tasks"]
    least = result["role_floor"]
    imports = " + ".join(f"{name.split('_', 1)[1]} x{times}" for name, times in result["imports"].items())
    lines = ["4. Floor: commands that do no ACME or DNS work (median)",
             f"   ansible-playbook, empty play            wall {rows['empty_play']['wall']:6.2f} s  cpu {rows['empty_play']['cpu']:6.2f} s",
             f"   ansible-playbook, {tasks} ping tasks         wall {rows['module_tasks']['wall']:6.2f} s  cpu {rows['module_tasks']['cpu']:6.2f} s"
             f"  ({result['per_task']['wall']:.2f} s wall, {result['per_task']['cpu']:.2f} s cpu per task)",
             f"   python -c 'import acme.client'         wall {rows['import_acme']['wall']:6.2f} s  cpu {rows['import_acme']['cpu']:6.2f} s",
             f"   python -c 'import dns.query'           wall {rows['import_dns']['wall']:6.2f} s  cpu {rows['import_dns']['cpu']:6.2f} s",
             "   beyond Ansible's module library (cpu): acme"
             f" {rows['import_acme_in_module']['cpu'] - rows['import_module_library']['cpu']:.2f} s,"
             f" dnspython {rows['import_dns_in_module']['cpu'] - rows['import_module_library']['cpu']:.2f} s",
             f"   the role's floor ({tasks} tasks + {imports}) wall {least['wall']:6.2f} s  cpu {least['cpu']:6.2f} s"]
    for metric, row in result.get("against_peers", {}).items():
        lines.append(f"   N=1 {metric}: best peer {row['peer']} {row['peer_seconds']:.2f} s, target (/ {result['target_factor']})"
                     f" {row['target']:.2f} s, the role's floor {row['floor']:.2f} s:"
                     f" {'reachable' if row['reachable'] else 'below the floor'}")
    return lines


def table(results: dict[str, t.Any]) -> str:
    meta = results["machine"]
    lines = [f"portable.dns01 benchmarks, {meta['date']}, {meta['host']}: {meta['cores']} cores, {meta['cpu']}, {meta['os']}",
             f"load average at start {meta['load_start']:.2f}, at end {meta.get('load_end', 0):.2f}", ""]
    renderers = (("issuance", issuance_lines), ("failover", failover_lines), ("propagation", propagation_lines),
                 ("floor", floor_lines))
    for key, render in renderers:
        if key in results:
            lines += render(results[key]) + [""]
    for name, reason in results.get("left_out", {}).items():
        lines.append(f"left out: {name}: {reason}")
    return "\n".join(lines).rstrip() + "\n"
