"""A readable, stable Latin folder name for an imported item (pinyin for Chinese titles)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

NAME_LIMIT = 48  # characters: a title of ~12 Chinese characters fits whole
_WORD = re.compile(r"[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def item_name(title: str, filename: str, existing: set[str]) -> str:
    """`<name>` for content/<station>/<section>/<name>/: from the title (in pinyin when it is
    Chinese), else from the file name, within ^[a-z0-9][a-z0-9-]*$; the same title gives the
    same name, and a name in `existing` gets -2, -3, ... (never overwrites)."""
    base = _slug(title) or _slug(PurePath(filename).stem) or "item"
    name, n = base, 1
    while name in existing:
        n += 1
        name = f"{base}-{n}"
    return name


def _slug(text: str) -> str:
    words = _words(text)
    out: list[str] = []
    for w in words:
        if len("-".join(out + [w])) > NAME_LIMIT:
            break
        out.append(w)
    if not out and words:
        out = [words[0][:NAME_LIMIT]]
    return "-".join(out)


def _words(text: str) -> list[str]:
    if _HAN.search(text):
        import rjieba
        from pypinyin import Style, lazy_pinyin

        # A word's syllables written together, words apart (guanyu-kaizhan-zhuti-dangri), as
        # Chinese sites write pinyin; pypinyin reads a word's characters in context (重庆:
        # chongqing, 银行: yinhang). Everything else (2026, PDF) stays as it was.
        text = " ".join("".join(lazy_pinyin(w, style=Style.NORMAL, errors="default")) for w in rjieba.cut(text))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _WORD.findall(ascii_text)
