# -*- coding: utf-8 -*-
# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A test double of acme-dns: its HTTP API and its authoritative DNS server.

acme-dns has no package installable in the lab, so tests run this double,
which follows acme-dns's documented API and answers. Start it with
``server.py`` or in-process with ``server.AcmeDnsDouble``.
"""
