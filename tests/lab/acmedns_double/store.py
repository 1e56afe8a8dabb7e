# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The acme-dns database: accounts and two TXT slots per subdomain, in SQLite.

Several doubles may open one file at once, as several acme-dns instances share
one database for high availability, so every write takes SQLite's write lock.

Like upstream, an update overwrites the row whose LastUpdate is oldest, in whole
seconds of the wall clock; rows stamped with the same second tie, and the tie
goes to the lower row id, whichever row was written last. The clock is a seam.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sqlite3
import string
import threading
import time
import typing as t
import uuid

import bcrypt

_PASSWORD_ALPHABET = string.ascii_letters + string.digits + "-_"
_PASSWORD_LENGTH = 40
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS records(
        username TEXT PRIMARY KEY,
        password TEXT NOT NULL,
        subdomain TEXT UNIQUE NOT NULL,
        allowfrom TEXT NOT NULL DEFAULT '[]')""",
    """CREATE TABLE IF NOT EXISTS txt(
        subdomain TEXT NOT NULL,
        value TEXT NOT NULL DEFAULT '',
        last_update INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS txt_subdomain ON txt(subdomain)",
)


@dataclasses.dataclass(frozen=True)
class Account:
    """A registered account as stored: the password only as a bcrypt hash."""

    username: str
    password_hash: str
    subdomain: str
    allowfrom: list[str]


@dataclasses.dataclass(frozen=True)
class Registration:
    """What /register hands out once: the only time the password exists in clear."""

    username: str
    password: str
    subdomain: str
    allowfrom: list[str]


def generate_password() -> str:
    """A 40-character password of the URL-safe base64 alphabet."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _index in range(_PASSWORD_LENGTH))


class Store:
    """Thread-safe access to one acme-dns SQLite database file."""

    def __init__(self, path: str, bcrypt_cost: int = 10, clock: t.Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._bcrypt_cost = bcrypt_cost
        self._clock = clock
        # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        with self._write() as cur:
            for statement in _SCHEMA:
                cur.execute(statement)
        # Checked against when the user is unknown, so both paths cost one bcrypt.
        self._decoy_hash = bcrypt.hashpw(generate_password().encode(), bcrypt.gensalt(bcrypt_cost)).decode()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def _write(self) -> "_Transaction":
        return _Transaction(self._conn, self._lock)

    def register(self, allowfrom: list[str]) -> Registration:
        """Create an account and its two empty TXT slots."""
        password = generate_password()
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(self._bcrypt_cost)).decode()
        username, subdomain = str(uuid.uuid4()), str(uuid.uuid4())
        with self._write() as cur:
            cur.execute("INSERT INTO records(username, password, subdomain, allowfrom) VALUES (?, ?, ?, ?)",
                        (username, hashed, subdomain, json.dumps(allowfrom)))
            cur.executemany("INSERT INTO txt(subdomain) VALUES (?)", [(subdomain,), (subdomain,)])
        return Registration(username, password, subdomain, list(allowfrom))

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account when the password matches its hash, else None."""
        with self._lock:
            row = self._conn.execute("SELECT username, password, subdomain, allowfrom FROM records WHERE username = ?",
                                     (username,)).fetchone()
        if row is None:
            bcrypt.checkpw(password.encode(), self._decoy_hash.encode())
            return None
        account = Account(row[0], row[1], row[2], json.loads(row[3]))
        if not bcrypt.checkpw(password.encode(), account.password_hash.encode()):
            return None
        return account

    def update(self, subdomain: str, value: str) -> None:
        """Overwrite the row with the oldest whole-second stamp; a tie goes to the lower row id."""
        with self._write() as cur:
            cur.execute(
                """UPDATE txt SET value = ?, last_update = ?
                   WHERE rowid = (SELECT rowid FROM txt WHERE subdomain = ? ORDER BY last_update, rowid LIMIT 1)""",
                (value, int(self._clock()), subdomain))

    def txt_values(self, subdomain: str) -> list[str]:
        """The non-empty values of a subdomain in row order; empty when never updated."""
        with self._lock:
            rows = self._conn.execute("SELECT value FROM txt WHERE subdomain = ? ORDER BY rowid LIMIT 2",
                                      (subdomain,)).fetchall()
        return [row[0] for row in rows if row[0]]

    def last_updates(self, subdomain: str) -> list[int]:
        """The whole-second stamps of a subdomain's rows, in row order."""
        with self._lock:
            rows = self._conn.execute("SELECT last_update FROM txt WHERE subdomain = ? ORDER BY rowid LIMIT 2",
                                      (subdomain,)).fetchall()
        return [row[0] for row in rows]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT under the store lock, rolled back on error."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock) -> None:
        self._conn = conn
        self._lock = lock
        self._cursor: sqlite3.Cursor | None = None

    def __enter__(self) -> sqlite3.Cursor:
        self._lock.acquire()
        try:
            self._cursor = self._conn.cursor()
            # IMMEDIATE takes the write lock now, so instances sharing the file serialise.
            self._cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self._cursor

    def __exit__(self, exc_type: t.Any, exc: t.Any, traceback: t.Any) -> None:
        try:
            self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
