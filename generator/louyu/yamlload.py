"""Load YAML the way platform staff expect, and remember where every value was.

PyYAML follows YAML 1.1, where `no` is False, `0123` is 83, `12:30` is 750 and
`2026-11-21` becomes a date object. Staff write these by accident; louyu must
either keep them as text or report them. So this loader resolves only the
YAML 1.2 core types (true/false, decimal numbers, null) and leaves every other
scalar a string, which the schema then checks. Anchors, aliases and custom tags
are refused: they are never needed in a platform and aliases can explode.

Every mapping key and sequence entry records its line, so that a problem in
`staff[2].role` can be reported as `stations/a.yml:14`.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import LouyuError

Path_ = tuple[str | int, ...]

_CORE_RESOLVERS = [
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
        list("-+.0123456789"),
    ),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
]

# Scalars that YAML 1.1 tools would read as booleans: kept as text here, but a
# schema expecting a bool can say why `yes` is not accepted.
YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"}


# LibYAML's C parser when PyYAML has it (10x faster on a platform's thousand files);
# resolution and construction stay in Python either way, so results are identical.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CoreLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader with YAML 1.2 core-schema resolution only."""


_CoreLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in _CORE_RESOLVERS:
    _CoreLoader.add_implicit_resolver(_tag, _regexp, _first)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    # Decimal only; `0123` never gets here (it stays text: a phone number keeps its 0).
    return int(str(loader.construct_scalar(node)), 10)


_CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


@dataclass
class Document:
    """A loaded YAML value plus the line of every key and entry in it."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    first_line: int = 1
    mkdocs_tags: bool = False  # mkdocs.yml only: !ENV and !!python/name: of known packages

    def line(self, *path: str | int) -> int:
        """The line of `path`, or of its nearest enclosing value that has one."""
        p: Path_ = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), self.first_line)


_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


# A bracket, brace or quote left open is found where YAML gives up (often the next line or
# the end of the file); the line to fix is the one that opened it.
_OPENED = {"while parsing a flow sequence", "while parsing a flow mapping", "while scanning a quoted scalar"}


def load_yaml(text: str, path: str, line_offset: int = 0, mkdocs_tags: bool = False) -> Document:
    """Parse `text` (from `path`); raise LouyuError naming the line of a YAML mistake.

    `mkdocs_tags` accepts, for mkdocs.yml, what Material's documentation asks users to
    write: `!ENV` and `!!python/name:` of the material, pymdownx and markdown packages."""
    loader = _CoreLoader(text)
    try:
        node = loader.get_single_node()
    except RecursionError:
        raise LouyuError(path, 1 + line_offset, "YAML 嵌套层数太多") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context in _OPENED and exc.context_mark:  # not closed: where it was opened
            mark = exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        raise LouyuError(path, line, f"YAML 格式错误：{_explain(exc)}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control characters)
        line = text.count("\n", 0, max(0, exc.position)) + 1 + line_offset
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise LouyuError(path, line, f"含有不允许出现的控制字符 U+{code:04X}（文件是否损坏，或不是文本文件？）") from None
    except yaml.YAMLError as exc:
        raise LouyuError(path, 1 + line_offset, f"YAML 格式错误：{exc}") from None
    finally:
        loader.dispose()
    doc = Document(None, {}, 1 + line_offset, mkdocs_tags)
    if node is None:
        return doc
    anchors_seen: set[int] = set()
    try:
        doc.data = _convert(loader, node, (), doc, path, line_offset, anchors_seen)
    except RecursionError:
        raise LouyuError(path, 1 + line_offset, "YAML 嵌套层数太多") from None
    return doc


def _explain(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    translations = {
        "mapping values are not allowed": "此处不能出现冒号（值中含有“: ”时请加引号）",
        "could not find expected ':'": "缺少冒号“:”",
        "found character '\\t' that cannot start any token": "不能用 Tab 缩进，请改用空格",
        "found character that cannot start any token": "含有不能出现在此处的字符（Tab 缩进？请改用空格）",
        "did not find expected key": "缩进不一致或缺少“键:”",
        "did not find expected node content": "缺少内容（方括号、花括号或引号没有闭合？）",
        "did not find expected ',' or ']'": "方括号没有闭合",
        "did not find expected ',' or '}'": "花括号没有闭合",
        "found unexpected end of stream": "引号或括号没有闭合",
        "expected <block end>, but found '-'": "列表缩进不一致",
        "found undefined alias": "引用了未定义的别名",
        "expected the node content": "缺少内容（方括号、花括号或引号没有闭合？）",
        "while scanning a quoted scalar": "引号没有闭合",
        "found unexpected end of stream": "引号或括号没有闭合",
    }
    for key, zh in translations.items():
        if problem.startswith(key):
            return zh
    return problem or str(exc)


def _convert(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    doc: Document,
    src: str,
    offset: int,
    seen: set[int],
) -> Any:
    line = node.start_mark.line + 1 + offset
    doc.lines.setdefault(path, line)
    if id(node) in seen:
        raise LouyuError(src, line, "不支持 YAML 锚点与别名（& 和 *），请直接写出内容")
    seen.add(id(node))
    if getattr(node, "anchor", None):
        raise LouyuError(src, line, "不支持 YAML 锚点与别名（& 和 *），请直接写出内容")
    if node.tag not in _ALLOWED_TAGS:
        if doc.mkdocs_tags:
            return _mkdocs_tag(loader, node, src, line)
        raise LouyuError(src, line, f"不支持的 YAML 标签 {node.tag}")
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LouyuError(src, key_node.start_mark.line + 1 + offset, "不支持 YAML 合并键 <<")
            raw_key = _convert(loader, key_node, path + ("<key>",), doc, src, offset, seen)
            if not isinstance(raw_key, (str, int, float, bool)) or raw_key is None:
                raise LouyuError(src, key_node.start_mark.line + 1 + offset, "键必须是文字")
            key = str(raw_key)
            key_line = key_node.start_mark.line + 1 + offset
            if key in result:
                raise LouyuError(src, key_line, f"键 {key!r} 重复出现")
            doc.lines[path + (key,)] = key_line
            result[key] = _convert(loader, value_node, path + (key,), doc, src, offset, seen)
            # The key's own line is more useful than the value's (block values start below).
            doc.lines[path + (key,)] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, child in enumerate(node.value):
            items.append(_convert(loader, child, path + (i,), doc, src, offset, seen))
        return items
    return loader.construct_object(node, deep=True)


_PYTHON_NAME = "tag:yaml.org,2002:python/name:"
_NAME_PACKAGES = ("material.", "pymdownx.", "markdown.")


def _mkdocs_tag(loader: Any, node: yaml.Node, src: str, line: int) -> Any:
    if node.tag == "!ENV":
        names = [str(v) for v in loader.construct_sequence(node)] if isinstance(node, yaml.SequenceNode) else [str(node.value)]
        default = names.pop() if len(names) > 1 else None
        return next((os.environ[n] for n in names if n in os.environ), default)
    if node.tag.startswith(_PYTHON_NAME):
        dotted = node.tag[len(_PYTHON_NAME):]
        if not dotted.startswith(_NAME_PACKAGES):
            raise LouyuError(src, line, f"!!python/name 只能引用 material、pymdownx、markdown 中的名称，不能是 {dotted}")
        module_name, _, attr = dotted.rpartition(".")
        try:
            return getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError):
            raise LouyuError(src, line, f"找不到 {dotted}") from None
    raise LouyuError(src, line, f"不支持的 YAML 标签 {node.tag}")


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?", re.S | re.M)


@dataclass
class FrontMatterFile:
    meta: Document
    body: str
    body_line: int  # line number (1-based) where the body starts


def split_front_matter(text: str, path: str) -> FrontMatterFile:
    """Split `---` front matter from Markdown; lines stay those of the file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    m = _FRONT.match(text)
    if not m:
        if text.startswith("---"):
            raise LouyuError(path, 1, "front matter 没有结束：缺少第二行 ---")
        raise LouyuError(path, 1, "缺少 front matter：文件应以 --- 开头，写明 title、date、author")
    meta = load_yaml(m.group(1), path, line_offset=1)
    body = text[m.end():]
    body_line = text[: m.end()].count("\n") + 1
    return FrontMatterFile(meta, body, body_line)
