# Copyright (c) portable.dns01 contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from ansible_collections.portable.dns01.plugins.module_utils._acme.csr import build_csr, csr_pem
from ansible_collections.portable.dns01.plugins.module_utils._acme.keys import KEY_TYPES, generate_key, key_type_of


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_csr_holds_every_name_and_the_key(key_type):
    key = generate_key(key_type)
    names = ["x.example.test", "*.x.example.test", "xn--bcher-kva.example.test"]
    csr = x509.load_pem_x509_csr(csr_pem(build_csr(key, names)))
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == names
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "x.example.test"
    assert key_type_of(csr.public_key()) == key_type
    assert csr.is_signature_valid


def test_first_name_too_long_for_a_common_name_goes_in_the_san_only():
    long_name = ".".join(["a" * 40, "b" * 40, "example.test"])
    csr = build_csr(generate_key("ec256"), [long_name])
    assert not csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName) == [long_name]
