"""SEC002 precision (SPEC §7): well-known public values and PEM armour without key material are not secrets.

The rule cases (tests/rule_cases/security_code.yaml) show them in project files; these pin the edges of the
key-material test and the value-only path SEC007 takes through the same detectors.
"""

from __future__ import annotations

import pytest

from checker.checks.secret_scan import is_known_secret_format, is_public_value, scan_text

BODY = "MIIEowIBAAKCAQEAx8dTmwVqR0lZ3pK9bA7cN2vW1yE5uH4tG6sJ8fL0mO3nQ2rX"


@pytest.mark.parametrize(
    "text",
    [
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n" + BODY,
        f'key = ("-----BEGIN PRIVATE KEY-----\\n"\n       "{BODY}\\n" +\n       "-----END PRIVATE KEY-----")\n',
        f"- |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  {BODY}\n",
    ],
    ids=["encrypted-pem-headers", "python-concatenation", "yaml-block"],
)
def test_armour_followed_by_key_material_is_a_private_key(text: str) -> None:
    assert [d.kind for d in scan_text(text)] == ["Private Key"]


@pytest.mark.parametrize(
    "text",
    [
        "-----BEGIN RSA PRIVATE KEY-----\n\n# the body goes here\n",
        'MARKERS = ["-----BEGIN PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----"]\n',
        "-----BEGIN PRIVATE KEY-----\nYOUR_KEY_GOES_HERE_AND_NOWHERE_ELSE_PLEASE_THANK_YOU\n-----END PRIVATE KEY-----\n",
    ],
    ids=["comment-below", "list-of-markers", "placeholder-body"],
)
def test_armour_without_key_material_is_not_a_secret(text: str) -> None:
    assert scan_text(text) == []


def test_inline_values_take_the_same_view_for_sec007() -> None:
    assert not is_known_secret_format("-----BEGIN PRIVATE KEY-----")
    assert not is_known_secret_format("AKIAIOSFODNN7EXAMPLE")
    assert is_known_secret_format("AKIAZ7QX3J2N4T5W6Y8R")


@pytest.mark.parametrize(
    ("value", "public"),
    [
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", True),
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("AKIAIOSFODNN7EXAMPLEX", False),  # not the shape of a key id
        ("EXAMPLEKEY", False),
        ("AKIAZ7QX3J2N4T5W6Y8R", False),
    ],
)
def test_public_values_are_the_documented_shapes_only(value: str, public: bool) -> None:
    assert is_public_value(value) is public
