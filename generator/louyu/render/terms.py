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


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def terms_of(text: str) -> set[str]:
    text = normalize(text)
    found: set[str] = set()
    for run in HAN.findall(text):
        found.update(run)
        found.update(run[k : k + 2] for k in range(len(run) - 1))
    found.update(WORD.findall(text))
    return found


def plain_text(fragments: list[str]) -> str:
    """HTML fragments (Material's search parser keeps a section's markup) as one line of text."""
    text = " ".join(html.unescape(_TAG.sub(" ", f)).replace("\u200b", "") for f in fragments)
    return re.sub(r"\s+", " ", text).strip()
