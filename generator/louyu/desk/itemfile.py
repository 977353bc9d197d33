"""An item as the desk's form sees it: the fields of its section with Chinese labels (from the
item schema, platform/items.py), the Markdown file written from the form, which line each
key lands on (so that a problem at `path:line` is shown next to its field), the Latin name
made from a Chinese title, and the version a save is checked against."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..platform.items import ITEM_FIELDS, SECTION_ONLY
from ..platform.problems import LouyuError
from ..platform.yamlload import split_front_matter


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: str  # text, textarea, date, datetime, month, number, stations, scope, files, file, activity, tags, catalogue
    hint: str = ""
    required: bool = False


# Labels and widgets of the schema's keys; the keys themselves and which section they belong
# to come from ITEM_FIELDS and SECTION_ONLY (a key the schema gains needs one line here).
WIDGETS: dict[str, tuple[str, str, str]] = {
    "title": ("标题", "text", ""),
    "date": ("发布日期", "date", "定在以后的日期：到那天才发布"),
    "summary": ("摘要", "textarea", "列表和显示屏上显示的一两句话"),
    "tags": ("标签", "tags", "用逗号或顿号分开，例如：志愿服务、党课"),
    "audience": ("发布范围", "stations", "哪些站点显示此条目"),
    "scope": ("公开范围", "scope", "党内公开的只发布到党员网站。党员个人党费、民主评议结果、组织处理和纪律处分、发展党员一般党内公开"),
    "category": ("公开目录类别", "catalogue", "党务公开目录中的类别（mkdocs.yml 的 catalogue）"),
    "issuer": ("发布机构", "text", "默认为本站名称"),
    "number": ("文号", "text", ""),
    "start": ("开始时间", "datetime", ""),
    "end": ("结束时间", "datetime", ""),
    "location": ("地点", "text", ""),
    "capacity": ("名额", "number", ""),
    "signup": ("报名方式", "text", "电话、链接或说明"),
    "month": ("主题月份", "month", ""),
    "activity": ("报道的活动", "activity", "这篇新闻报道的是哪一次活动"),
    "cover": ("封面图片", "file", "从已上传的图片中选择"),
    "attachments": ("附件", "files", "随条目发布的文件（PDF、图片、音视频）"),
    "expires": ("下线日期", "date", "过了这一天，条目从列表、订阅和显示屏上撤下（页面保留）"),
}
REQUIRED_IN = {"activities": {"start", "location"}, "themes": {"month"}, "disclosures": {"scope"}}
# Keys of the disclosures section (SPEC: 公开范围 and 党务公开目录) that the schema may not list yet.
DISCLOSURE_KEYS = ("scope", "category", "issuer", "number")
SCHEMA_KEYS = [f.key for f in ITEM_FIELDS]


def fields_for(section: str) -> list[FormField]:
    """The form of a section: every schema key that applies to it, in the schema's order, and
    the disclosure keys; `author` is never asked (it is the person signed in)."""
    keys = [k for k in SCHEMA_KEYS if k != "author" and SECTION_ONLY.get(k, section) == section]
    if section == "disclosures":
        keys += [k for k in DISCLOSURE_KEYS if k not in keys]
    elif "scope" in SCHEMA_KEYS and "scope" not in keys:
        keys.append("scope")
    out = []
    for key in keys:
        label, kind, hint = WIDGETS.get(key, (key, "text", ""))
        out.append(FormField(key, label, kind, hint, key in ("title", "date") or key in REQUIRED_IN.get(section, set())))
    return out


def values_from_form(section: str, form: dict[str, Any]) -> dict[str, Any]:
    """Front-matter values from the posted form, empty ones left out."""
    values: dict[str, Any] = {}
    for f in fields_for(section):
        raw = form.get(f.key)
        if f.kind in ("stations", "files"):
            chosen = [str(v) for v in (raw or []) if str(v).strip()]
            if f.kind == "stations":
                if "all" in chosen:
                    values[f.key] = "all"
                elif chosen:
                    values[f.key] = chosen
            elif chosen:
                values[f.key] = chosen
            continue
        text = str(raw or "").strip()
        if not text:
            continue
        if f.kind == "tags":
            values[f.key] = [t.strip() for t in re.split(r"[,，、;；]", text) if t.strip()]
        elif f.kind == "datetime":
            values[f.key] = text.replace("T", " ")[:16]
        elif f.kind == "number" and text.isdigit():
            values[f.key] = int(text)
        elif f.kind == "scope" and section != "disclosures" and text == "public":
            continue  # the default outside disclosures: not written
        else:
            values[f.key] = text
    return values


@dataclass
class Written:
    text: str
    lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> its line
    body_line: int = 1  # the file's line of the editor's first line


def _yaml_value(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML: quoted, escaped, never a surprise


def write_item(values: dict[str, Any], body: str, kept: dict[str, Any] | None = None, handled: set[str] = frozenset()) -> Written:  # type: ignore[assignment]
    """The item's Markdown: front matter (form values, then the `kept` keys the form does not
    handle, as they were: a key the form shows and left empty is gone) and the body. Records
    the line of every key."""
    out = Written("")
    lines = ["---"]
    merged = dict(values)
    for key, value in (kept or {}).items():
        if key not in merged and key not in handled and value is not None:
            merged[key] = value
    for key, value in merged.items():
        out.lines[key] = len(lines) + 1
        lines.append(f"{key}: {_yaml_value(value)}")
    lines.append("---")
    lines.append("")
    out.body_line = len(lines) + 1
    body = body.replace("\r\n", "\n").rstrip("\n")
    out.text = "\n".join(lines) + "\n" + body + "\n"
    return out


def read_item(md: Path) -> tuple[dict[str, Any], str]:
    """The front matter as a mapping and the body of an item file (for the form)."""
    meta, body, _ = read_item_or_salvage(md)
    return meta, body


_FENCE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_KEY_LINE = re.compile(r"^[ \t\u3000]*([A-Za-z_]+)[ \t\u3000]*[:：][ \t\u3000]*(.*?)[ \t]*$")


def read_item_or_salvage(md: Path) -> tuple[dict[str, Any], str, str]:
    """(front matter, body, what was wrong). A front matter YAML cannot read (a full-width
    colon, Chinese quotes, odd indentation) is salvaged line by line — `key: value` with either
    colon — so that the form shows what the admin meant and the body never carries the broken
    block (saving rewrites it correctly); the third value then says what was wrong."""
    text = md.read_bytes().decode("utf-8", errors="replace")
    try:
        fm = split_front_matter(text, md.name)
    except LouyuError as exc:
        fences = list(_FENCE.finditer(text))
        if not text.startswith("---") or len(fences) < 2:
            return {}, text, f"第 {exc.problem.line} 行：{exc.problem.message}"
        block, body = text[fences[0].end():fences[1].start()], text[fences[1].end():]
        meta: dict[str, Any] = {}
        for line in block.splitlines():
            found = _KEY_LINE.match(line)
            if found:
                raw = found.group(2).strip().strip("“”\"'‘’「」")
                try:
                    value = yaml.safe_load(raw) if raw.startswith("[") else raw
                except yaml.YAMLError:
                    value = raw
                meta[found.group(1)] = value
        return meta, body.lstrip("\n"), f"第 {exc.problem.line} 行：{exc.problem.message}"
    data = fm.meta.data if isinstance(fm.meta.data, dict) else {}
    return dict(data), fm.body.lstrip("\n"), ""


def form_values(meta: dict[str, Any]) -> dict[str, Any]:
    """Front-matter values as the form's widgets show them."""
    shown: dict[str, Any] = {}
    for key, value in meta.items():
        kind = WIDGETS.get(key, ("", "text", ""))[1]
        if isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif kind == "datetime" and isinstance(value, str):
            value = value.replace(" ", "T")[:16]
        elif kind == "tags" and isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif kind == "stations":
            value = ["all"] if value == "all" else [str(v) for v in value] if isinstance(value, list) else []
        shown[key] = value
    return shown


def latin_name(title: str, taken: set[str]) -> str:
    """A Latin item name from a Chinese title, unique among `taken`: the same names `louyu
    import` makes (a word's syllables together, words apart: shequ-zhiyuan-fuwu-ri)."""
    from ..importer.names import item_name

    return item_name(title, "", taken)


def version_of(md: Path | None, folder: Path | None) -> str:
    """What a save is checked against: the Markdown's bytes and every file of the bundle
    (name, size, time). Two people saving the same version: the second is refused."""
    digest = hashlib.sha256()
    if md is not None and md.is_file():
        digest.update(md.read_bytes())
    if folder is not None and folder.is_dir():
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file(follow_symlinks=False) and entry.name != "index.md":
                st = entry.stat(follow_symlinks=False)
                digest.update(f"\0{entry.name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]
