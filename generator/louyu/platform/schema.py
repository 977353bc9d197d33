"""One way to declare, convert and report the keys of station files, front matter and ledgers.

A schema is a list of `Field`s. `apply()` converts every known key, reports
every bad one with its line (never stopping at the first), warns about unknown
keys and returns the converted values. Converters raise `Invalid` with a
Chinese explanation of what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .problems import Problems
from .yamlload import Document


class Invalid(ValueError):
    """A value that does not fit; the message says what was expected, in Chinese."""


Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One key of a YAML file: how its value is checked and converted, whether it is required."""

    key: str
    convert: Converter
    required: bool = False
    doc: str = ""
    loses: str = ""  # what the site lacks when this optional key is misspelt (and so ignored)


def _closest(key: object, known: Iterable[str]) -> str | None:
    import difflib  # only for a platform with a mistake

    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.75)
    return close[0] if close else None


def meant(key: object, known: Iterable[str]) -> str:
    """"（是否想写 a-admin？）" for a key or staff id one typo away from a known one, else ""."""
    close = _closest(key, known)
    return f"（是否想写 {close}？）" if close else ""


def ignored(key: object, known: Iterable[str]) -> str:
    """"（已忽略；是否想写 attachments？）", or "（已忽略）" when no known key is close."""
    close = _closest(key, known)
    return f"（已忽略；是否想写 {close}？）" if close else "（已忽略）"


def _ignored(key: object, known: dict[str, Field]) -> str:
    """Like `ignored`, saying what the site loses when the key meant is optional."""
    close = _closest(key, known)
    if close is None or not known[close].loses or known[close].required:
        return ignored(key, known)
    return f"（已忽略：{known[close].loses}；是否想写 {close}？）"


def apply(
    doc: Document, fields: list[Field], path: str, problems: Problems, base: tuple[str | int, ...] = ()
) -> dict[str, Any]:
    """Check the mapping at `base` in `doc` against `fields`; return the good values."""
    data = doc.data
    for key in base:
        data = data[key]
    if not isinstance(data, dict):
        problems.error(path, doc.line(*base), "应为“键: 值”形式的映射")
        return {}
    known = {f.key: f for f in fields}
    out: dict[str, Any] = {}
    if not base:
        for line, message in doc.slips:
            problems.warning(path, line, message)
    for key in data:
        if key not in known:
            problems.warning(path, doc.line(*base, key), f"未知的键 {key}{_ignored(key, known)}")
    for f in fields:
        if f.key not in data or data[f.key] is None:
            if f.required:
                problems.error(path, doc.line(*base), f"缺少必填项 {f.key}（{f.doc}）")
            continue
        try:
            out[f.key] = f.convert(data[f.key])
        except Invalid as exc:
            problems.error(path, doc.line(*base, f.key), f"{f.key} {exc}")
    return out


# -- converters -------------------------------------------------------------------


def text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Invalid(f"应为文字，实际是 {_kind(value)}")
    s = str(value).strip()
    if not s:
        raise Invalid("不能为空")
    return s


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Invalid(f"应为正整数，实际是 {value!r}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Invalid(f"应为非负数，实际是 {value!r}")
    return float(value)


def text_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid(f"应为列表，实际是 {_kind(value)}")
    return [text(v) for v in value]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def date(value: Any) -> dt.date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise Invalid(f"应为 YYYY-MM-DD 格式的日期，实际是 {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"不是有效日期：{value}") from None


def naive_datetime(value: Any) -> dt.datetime:
    m = _DATETIME.match(value) if isinstance(value, str) else None
    if not m:
        raise Invalid(f"应为 YYYY-MM-DD HH:MM 格式的时间，实际是 {value!r}")
    try:
        return dt.datetime.fromisoformat(f"{m.group(1)} {m.group(2)}:{m.group(3)}")
    except ValueError:
        raise Invalid(f"不是有效时间：{value}") from None


def month(value: Any) -> str:
    m = _MONTH.match(value) if isinstance(value, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise Invalid(f"应为 YYYY-MM 格式的月份，实际是 {value!r}")
    return value


def aware_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise Invalid(f"应为带时区的 ISO 8601 时间（如 2026-11-21T10:00:00+08:00），实际是 {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"不是有效的 ISO 8601 时间：{value}") from None
    if parsed.tzinfo is None:
        raise Invalid(f"缺少时区（如 +08:00）：{value}")
    return parsed


_OPENSSH_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z)?$")


def key_time(value: Any) -> dt.datetime:
    """A key's validity bound: as OpenSSH's allowed_signers writes it (YYYYMMDD[HHMM[SS]][Z])
    or as ISO 8601 (2026-03-01, 2026-03-01 09:00, 2026-03-01T09:00:00+08:00). Without a
    zone (or Z) it is in the platform's time zone: naive here, made aware by the gate."""
    expected = "应为时间，如 2026-03-01、2026-03-01 09:00、2026-03-01T09:00:00+08:00 或 OpenSSH 的 20260301"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Invalid(f"{expected}，实际是 {value!r}")
    m = _OPENSSH_TIME.match(value)
    try:
        if m:
            y, mo, d, h, mi, sec, z = m.groups()
            moment = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
            return moment.replace(tzinfo=dt.timezone.utc) if z else moment
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{expected}，实际是 {value!r}") from None


def one_of(*choices: str) -> Converter:
    def convert(value: Any) -> str:
        if value not in choices:
            raise Invalid(f"应为 {' / '.join(choices)} 之一，实际是 {value!r}")
        return str(value)

    return convert


def matching(pattern: str, what: str) -> Converter:
    rx = re.compile(pattern)

    def convert(value: Any) -> str:
        if not isinstance(value, str) or not rx.match(value):
            raise Invalid(f"应为{what}，实际是 {value!r}")
        return value

    return convert


def _kind(value: Any) -> str:
    return {
        dict: "映射",
        list: "列表",
        bool: "布尔值",
        int: "数字",
        float: "数字",
        type(None): "空值",
    }.get(type(value), type(value).__name__)
