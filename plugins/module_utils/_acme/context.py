# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every certificate's work shares: the client, the clock, the options, the account.

This is a private module_utils file: its API may change without notice.
"""

from __future__ import annotations

import threading
import typing as t

from ansible_collections.portable.dns01.plugins.module_utils._acme.account import AccountOptions, ensure_account
from ansible_collections.portable.dns01.plugins.module_utils._acme.client import AcmeClient
from ansible_collections.portable.dns01.plugins.module_utils._acme.spec import RunOptions
from ansible_collections.portable.dns01.plugins.module_utils._common.clock import Clock


class Context:
    """Shared by the worker threads; only the account registration needs a lock."""

    def __init__(self, client: AcmeClient, clock: Clock, options: RunOptions, account: AccountOptions,
                 fence: t.Callable[[], None] | None = None) -> None:
        self.client = client
        # Raises when the run lock is no longer this run's; called before answering and installing.
        self.fence = fence or (lambda: None)
        self.clock = clock
        self.options = options
        self.account = account
        self._lock = threading.Lock()
        self._looked_up = False

    def account_url(self) -> str | None:
        """Register the account once, for whichever worker needs it first.

        In check mode it is only looked up, and None means it does not exist yet.
        """
        with self._lock:
            if not self._looked_up and self.client.account_jwk is not None:
                ensure_account(self.client, self.account, only_existing=self.options.check_mode)
                self._looked_up = True
            return self.client.account_url

    def stamp(self) -> str:
        """A timestamp for backup file names."""
        return self.clock.now().strftime("%Y%m%dT%H%M%SZ")
