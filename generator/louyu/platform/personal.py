"""Personal data that must never be published.

A resident identity number (GB 11643-1999, 18 characters, ISO 7064 MOD 11-2
check character) is found only when its checksum is valid and its birth date
is a real date, so ordinary numbers (phone numbers, amounts, dates, order
numbers) do not raise false alarms. A bank card number is 15-19 digits (grouped
or not) with a card network's first digits (UnionPay 62, Visa 4, Mastercard 51-55
and 22-27, American Express 34/37, JCB 35) and a valid Luhn check digit. A mainland
mobile number is 11 digits, 1[3-9]..., alone or grouped 3-4-4, optionally after +86;
a station's published phone (stations/*.yml) is not a person's. A number inside a
longer run of digits or letters (an order number, a code) is never any of these.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re

_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{4})(\d{2})(\d{2})\d{3}[\dXx](?![0-9A-Za-z])")
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def is_valid_id_number(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return _CHECK[total % 11] == number[17].upper()


def find_id_numbers(text: str) -> list[tuple[int, str]]:
    """(line number starting at 1, masked number) for each valid identity number in text."""
    hits = []
    lines = _Lines(text)
    for m in _CANDIDATE.finditer(text):
        number = m.group(0)
        try:
            dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
        if 1900 <= int(m.group(2)) <= 2100 and is_valid_id_number(number):
            hits.append((lines.of(m.start()), number[:6] + "********" + number[-4:]))
    return hits


class _Lines:
    """Line numbers of offsets in a text, lines as str.splitlines counts them. Each pattern
    here is searched in the whole text at once (a search per line cost more than the
    search): none can match across a line break, and a line break stands where the
    start or end of a line stood for the lookarounds (neither a digit, a letter, - nor a space)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None

    def of(self, offset: int) -> int:
        if self.starts is None:
            starts, at = [], 0
            for line in self.text.splitlines(keepends=True):
                starts.append(at)
                at += len(line)
            self.starts = starts
        return bisect.bisect_right(self.starts, offset)


_DIGITS = re.compile(r"\D")
# Not preceded or followed by a digit, a letter, or a digit group joined by - or a space.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][- ])(?:\+?86[- ]?)?(1[3-9]\d(?:\d{8}|[- ]\d{4}[- ]\d{4}))(?![0-9A-Za-z])(?![- ][0-9])")
_CARD = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][- ])((?:62|4|5[1-5]|2[2-7]|3[457])\d{2}(?:[- ]?\d{4}){2,3}(?:[- ]?\d{1,3})?)(?![0-9A-Za-z])(?![- ][0-9])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for k, d in enumerate(reversed(digits)):
        n = int(d)
        if k % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def find_bank_cards(text: str) -> list[tuple[int, str]]:
    """(line, masked number) for each bank card number: a card network's first digits and a
    valid Luhn check, 15-19 digits, not an identity number."""
    hits = []
    lines = _Lines(text)
    for m in _CARD.finditer(text):
        digits = _DIGITS.sub("", m.group(1))
        if 15 <= len(digits) <= 19 and luhn_ok(digits) and not is_valid_id_number(digits):
            hits.append((lines.of(m.start()), f"{digits[:4]} **** **** {digits[-4:]}"))
    return hits


def find_mobile_numbers(text: str, published: set[str] | frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, masked number) for each mainland mobile number not in `published` (the
    stations' own phones, as digits)."""
    hits = []
    lines = _Lines(text)
    for m in _MOBILE.finditer(text):
        digits = _DIGITS.sub("", m.group(1))
        if digits not in published:
            hits.append((lines.of(m.start()), f"{digits[:3]}****{digits[-4:]}"))
    return hits


def published_phones(phones: list[str | None]) -> frozenset[str]:
    """The stations' phones (stations/*.yml), as the digits a mobile number is compared by."""
    out = set()
    for phone in phones:
        digits = _DIGITS.sub("", phone or "")
        out.add(digits[2:] if digits.startswith("86") and len(digits) == 13 else digits)
    return frozenset(out)
