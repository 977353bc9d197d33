"""Personal data that must never be published.

A resident identity number (GB 11643-1999, 18 characters, ISO 7064 MOD 11-2
check character) is found only when its checksum is valid and its birth date
is a real date, so ordinary numbers (phone numbers, amounts, dates, order
numbers) do not raise false alarms.
"""

from __future__ import annotations

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
    for lineno, line in enumerate(text.splitlines(), start=1):
        for m in _CANDIDATE.finditer(line):
            number = m.group(0)
            try:
                dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
            except ValueError:
                continue
            if 1900 <= int(m.group(2)) <= 2100 and is_valid_id_number(number):
                hits.append((lineno, number[:6] + "********" + number[-4:]))
    return hits
