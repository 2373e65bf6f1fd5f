"""SEC009 detectors: is one dataset value an e-mail address, a phone number, an IBAN, a payment card number
or a US social security number?

Plain Python on a bounded sample of each column (checker.data.samples), so the core install judges CSV files
without the data engines. Precision matters as much as recall: an order id, a hashed or tokenised e-mail, a
timestamp, a version string or a numeric id must never read as personal data. So the formats are the shapes
people write, checksums are verified where the format has one (IBAN mod 97, Luhn), and a run of bare digits
is a number unless a phone's trunk prefix or a card's checksum and issuer digit say otherwise.
"""

from __future__ import annotations

import re

EMAIL = "e-mail address"
PHONE = "phone number"
IBAN = "IBAN"
CARD = "payment card number"
SSN = "US SSN"
PLURAL = {EMAIL: "e-mail addresses", PHONE: "phone numbers", IBAN: "IBANs", CARD: "payment card numbers", SSN: "US SSNs"}
MAX_LENGTH = 64  # longer values are text, not one of these identifiers

_EMAIL = re.compile(r"([A-Za-z0-9._%+-]{1,64})@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}")
# A local part that is a digest or a token stands for an address without being one (pseudonymised data).
_TOKEN_LOCAL = re.compile(r"[0-9a-fA-F]{16,}|(?:tok|token|anon|hash|pseudo|masked)[_.-].*", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"[0-9 ().\-/]+")
_INTERNATIONAL = re.compile(r"\+[1-9][0-9 ().\-/]+")  # E.164, written with or without separators
_TRUNK = re.compile(r"\(?0[1-9][0-9 ().\-/]*")  # a national number with its trunk prefix: 030 1234567, 06-12345678
_NANP = re.compile(r"\(?[2-9][0-9]{2}\)?[ .-]?[2-9][0-9]{2}[ .-][0-9]{4}")  # (415) 555-0132, 415.555.0132
_SSN = re.compile(r"(?!000|666|9[0-9]{2})[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_CARD_SEPARATORS = re.compile(r"[ -]")
_DIGITS = re.compile(r"[0-9]+")

# IBAN length per country (ISO 13616 registry): an IBAN-shaped string of another length is not one.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
    "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def detect(value: str) -> str | None:
    """The kind of personal data `value` is, or None."""
    text = value.strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    if "@" in text:
        return EMAIL if is_email(text) else None
    for kind, test in ((IBAN, is_iban), (CARD, is_card), (SSN, is_ssn), (PHONE, is_phone)):
        if test(text):
            return kind
    return None


def is_email(text: str) -> bool:
    match = _EMAIL.fullmatch(text)
    return match is not None and _TOKEN_LOCAL.fullmatch(match.group(1)) is None


def is_phone(text: str) -> bool:
    """E.164 (+ and 8–15 digits), a national number with a trunk prefix (9–12 digits; 10–11 when written without
    separators, so a zero-padded id is not one) or a North American number written with separators."""
    if _INTERNATIONAL.fullmatch(text):
        return 8 <= _digit_count(text) <= 15 and _balanced(text)
    if not _PHONE_CHARS.fullmatch(text):
        return False
    if _TRUNK.fullmatch(text) and _balanced(text):
        digits = _digit_count(text)
        return 10 <= digits <= 11 if text.isdigit() else 9 <= digits <= 12
    return _NANP.fullmatch(text) is not None and _balanced(text)


def is_iban(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    if not _IBAN.fullmatch(compact) or IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def is_card(text: str) -> bool:
    """13–19 digits (spaces or dashes between groups allowed), an issuer's first digit (2–6) and a valid Luhn
    checksum: a millisecond timestamp or a snowflake id starts with 1, and 9 in 10 other numbers fail Luhn."""
    compact = _CARD_SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(compact) or not 13 <= len(compact) <= 19 or compact[0] not in "23456":
        return False
    return luhn_valid(compact)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def is_ssn(text: str) -> bool:
    return _SSN.fullmatch(text) is not None


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")") <= 1
