"""What a search can find a text by: every Han character and every pair of neighbouring Han
characters, and every word of letters and digits, after the normalisation louyu's search
worker applies to a query (templates/search.js splits a query the same way)."""

from __future__ import annotations

import html
import re
import unicodedata

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[0-9a-z]+")
_TAG = re.compile(r"<[^>]*>")


# What NFKC makes of the full-width forms Chinese text is full of (，：（） and the ideographic
# space): mapped first, the text is then most often already NFKC, which unicodedata checks
# far faster than it normalises (0.25 µs a character). The same result either way: NFKC
# decomposes these to exactly what they are mapped to here.
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_NARROW = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case."""
    text = _WIDE.sub(lambda m: _NARROW[m.group()], text)  # (str.translate took as long as NFKC)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def terms_of(text: str) -> set[str]:
    text = normalize(text)
    found: set[str] = set()
    for run in HAN.findall(text):
        found.update(run)
        found.update(map(str.__add__, run[:-1], run[1:]))  # (the pairs)
    found.update(WORD.findall(text))
    return found


def plain_text(fragments: list[str]) -> str:
    """HTML fragments (Material's search parser keeps a section's markup) as one line of text."""
    text = " ".join(html.unescape(_TAG.sub(" ", f)).replace("\u200b", "") for f in fragments)
    return re.sub(r"\s+", " ", text).strip()
