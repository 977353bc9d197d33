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


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    # Decimal only; `0123` never gets here (it stays text: a phone number keeps its 0).
    return int(str(loader.construct_scalar(node)), 10)


def _core_loader(base: Any) -> Any:
    """`base` (a SafeLoader) with YAML 1.2 core-schema resolution only."""

    class CoreLoader(base):  # type: ignore[misc, valid-type]
        pass

    CoreLoader.yaml_implicit_resolvers = {}
    for tag, regexp, first in _CORE_RESOLVERS:
        CoreLoader.add_implicit_resolver(tag, regexp, first)
    CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    return CoreLoader


# LibYAML's C parser when PyYAML has it (10x faster on a platform's thousand files);
# resolution and construction stay in Python either way, so results are identical. The
# two parsers word their errors differently: both are translated below (and tested).
_PURE_LOADER: Any = _core_loader(yaml.SafeLoader)
_CoreLoader: Any = _core_loader(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else _PURE_LOADER


@dataclass
class Document:
    """A loaded YAML value plus the line of every key and entry in it."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    first_line: int = 1
    mkdocs_tags: bool = False  # mkdocs.yml only: !ENV and !!python/name: of known packages
    slips: list[tuple[int, str]] = field(default_factory=list)  # (line, message): typed with a Chinese input method, read all the same

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
    loader: Any = None
    try:
        loader = _CoreLoader(text)  # (the pure-Python reader checks the characters here)
        node = loader.get_single_node()
    except RecursionError:
        raise LouyuError(path, 1 + line_offset, "YAML 嵌套层数太多") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context in _OPENED and exc.context_mark:  # not closed: where it was opened
            mark = exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        slip = find_slip(text, before=line - line_offset)
        if slip is not None:  # the mistake is where the slip is, often lines before YAML gave up
            raise LouyuError(path, slip[0] + line_offset, f"YAML 格式错误：{slip[1]}") from None
        explained = _explain(exc)
        raise LouyuError(path, line, f"YAML {explained}" if explained == "嵌套层数太多" else f"YAML 格式错误：{explained}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control characters)
        position = max(0, exc.position)
        if _CoreLoader is not _PURE_LOADER:  # LibYAML counts UTF-8 bytes, Python characters
            position = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
        line = text.count("\n", 0, position) + 1 + line_offset
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise LouyuError(path, line, f"含有不允许出现的控制字符 U+{code:04X}（文件是否损坏，或不是文本文件？）") from None
    except yaml.YAMLError as exc:
        raise LouyuError(path, 1 + line_offset, f"YAML 格式错误：无法读取（{exc}）") from None
    except UnicodeError as exc:  # a lone surrogate: no text file holds one
        line = text.count("\n", 0, getattr(exc, "start", 0)) + 1 + line_offset
        raise LouyuError(path, line, "含有无效的字符（文件是否损坏？）") from None
    finally:
        if loader is not None:
            loader.dispose()
    doc = Document(None, {}, 1 + line_offset, mkdocs_tags)
    if node is None:
        return doc
    anchors_seen: set[int] = set()
    try:
        doc.data = _convert(loader, node, (), doc, path, line_offset, anchors_seen)
    except RecursionError:
        raise LouyuError(path, 1 + line_offset, "YAML 嵌套层数太多") from None
    if isinstance(doc.data, str):  # `title：学习` alone reads as one piece of text
        slip = find_slip(text)
        if slip is not None:
            raise LouyuError(path, slip[0] + line_offset, f"YAML 格式错误：{slip[1]}")
    return doc


# Slips of a Chinese input method, by what YAML makes of them: a full-width colon, a
# full-width space for indentation, a full-width dash for a list, Chinese quotes as YAML's,
# ASCII quotes inside an ASCII-quoted value. Looked for when YAML cannot read a file.
_KEY = r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[A-Za-z_][A-Za-z0-9_-]*)"
_SLIPS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(_KEY + r"\s*："), "“{key}”后面是中文冒号“：”：键后须用英文冒号加空格，写成“{key}: ”"),
    (re.compile(r"^[ ]*\u3000"), "行首是全角空格（中文输入法的空格）：缩进须用英文半角空格"),
    (re.compile(r"^\s*－"), "“－”是全角短横线：列表项须用英文短横线加空格，写成“- ”"),
    (re.compile(_KEY + r":\s+[“”‘’].*:\s"), "中文引号“”‘’不是 YAML 的引号：需要加引号时请用英文引号，如 {key}: \"……\""),
    (re.compile(_KEY + r':\s+"[^"]*"\s*[^\s#,\]}]'), "值中的英文双引号提前结束了引号：把值里的引号改成中文引号“”，或整个值改用单引号括起，如 {key}: '学习\"二十大\"精神'"),
    (re.compile(_KEY + r":\s+'[^']*'\s*[^\s#,\]}']"), "值中的英文单引号提前结束了引号：把值里的引号改成中文引号‘’，或整个值改用双引号括起"),
]


def find_slip(text: str, before: int | None = None) -> tuple[int, str] | None:
    """(line, message) of the first input-method slip in `text` (up to line `before`), if any."""
    for lineno, line in enumerate(text.splitlines()[:before], start=1):
        if line.lstrip().startswith("#"):
            continue
        for rx, message in _SLIPS:
            m = rx.match(line)
            if m:
                return lineno, message.format(key=m.groupdict().get("key") or "")
    return None


# What PyYAML's pure-Python parser and LibYAML say (each words it its own way), by the
# start of the problem; the first match wins, so longer keys come first where they overlap.
_TRANSLATIONS = [
    ("exceeded maximum nesting depth", "嵌套层数太多"),
    ("mapping values are not allowed", "此处不能出现冒号（值中含有“: ”时请加引号）"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("found character '\\t' that cannot start any token", "不能用 Tab 缩进，请改用空格"),
    ("found a tab character", "不能用 Tab 缩进，请改用空格"),
    ("found character", "含有不能出现在此处的字符（以 @ 或 ` 开头的值请加引号；缩进请用空格，不用 Tab）"),
    ("did not find expected key", "缩进不一致或缺少“键:”"),
    ("did not find expected node content", "缺少内容（方括号、花括号或引号没有闭合？）"),
    ("did not find expected ',' or ']'", "方括号没有闭合"),
    ("expected ',' or ']'", "方括号没有闭合"),
    ("did not find expected ',' or '}'", "花括号没有闭合"),
    ("expected ',' or '}'", "花括号没有闭合"),
    ("did not find expected '-' indicator", "列表缩进不一致"),
    ("expected <block end>, but found '-'", "列表缩进不一致"),
    ("expected <block end>", "缩进不一致"),
    ("block sequence entries are not allowed", "此处不能开始列表（“- ”前的缩进不对？）"),
    ("sequence entries are not allowed", "此处不能开始列表（“- ”前的缩进不对？）"),
    ("mapping keys are not allowed", "此处不能出现“? ”"),
    ("found unexpected end of stream", "引号或括号没有闭合"),
    ("found unexpected document indicator", "引号内不能出现单独一行的 --- 或 ...（引号没有闭合？）"),
    ("found unexpected document separator", "引号内不能出现单独一行的 --- 或 ...（引号没有闭合？）"),
    ("found unknown escape character", "双引号内的反斜杠 \\ 后不能是这个字符（写成 \\\\，或改用单引号）"),
    ("did not find expected hexdecimal number", "双引号内的 \\x、\\u 后应是十六进制数字（写成 \\\\，或改用单引号）"),
    ("expected escape sequence", "双引号内的 \\x、\\u 后应是十六进制数字（写成 \\\\，或改用单引号）"),
    ("found invalid Unicode character escape code", "双引号内的 \\u 转义不是有效的字符"),
    ("found undefined alias", "引用了未定义的别名"),
    ("found duplicate anchor", "锚点重复定义"),
    ("found undefined tag handle", "不支持的 YAML 标签"),
    ("did not find expected <document start>", "一个文件只能有一份 YAML 内容（多出的 --- 或缩进不对？）"),
    ("expected '<document start>'", "一个文件只能有一份 YAML 内容（多出的 --- 或缩进不对？）"),
    ("but found another document", "一个文件只能有一份 YAML 内容（多出的 ---？）"),
    ("expected the node content", "缺少内容（方括号、花括号或引号没有闭合？）"),
    ("did not find expected comment or line break", "此处之后只能是注释或换行"),
    ("expected a comment or a line break", "此处之后只能是注释或换行"),
    ("did not find expected alphabetic or numeric character", "& 或 * 后应是名称（不支持锚点与别名，含 & 或 * 的值请加引号）"),
    ("expected alphabetic or numeric character", "& 或 * 后应是名称（不支持锚点与别名，含 & 或 * 的值请加引号）"),
    ("found an indentation indicator equal to 0", "| 或 > 后的缩进数字不能是 0"),
    ("expected indentation indicator in the range 1-9", "| 或 > 后的缩进数字应在 1–9 之间"),
    ("expected chomping or indentation indicators", "| 或 > 后只能是 +、- 或缩进数字"),
    ("did not find expected whitespace or line break", "此处应有空格或换行"),
    ("expected ' ', but found", "此处应有空格"),
    ("found unknown directive name", "不支持以 % 开头的 YAML 指令"),
    ("found duplicate %YAML directive", "不支持以 % 开头的 YAML 指令"),
    ("found incompatible YAML document", "不支持的 YAML 版本"),
    ("control characters are not allowed", "含有不允许出现的控制字符"),
    ("invalid Unicode character", "含有无效的字符（文件是否损坏？）"),
    ("invalid leading UTF-8 octet", "文件不是 UTF-8 编码，请另存为 UTF-8"),
    ("invalid trailing UTF-8 octet", "文件不是 UTF-8 编码，请另存为 UTF-8"),
    ("incomplete UTF-8 octet sequence", "文件不是 UTF-8 编码，请另存为 UTF-8"),
    ("input is too long", "文件太大"),
]

# What a problem is, in Chinese, when a parser says something not in the table above (a
# newer PyYAML's words): the kind of problem, with the parser's own words kept.
_WHILE = {
    "scanning": "无法识别此处的写法",
    "parsing": "结构不完整或缩进不一致",
    "composing": "内容结构有误",
    "constructing": "无法读取此处的值",
}


def _explain(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    for key, zh in _TRANSLATIONS:
        if problem.startswith(key):
            return zh
    context = (exc.context or "").strip()
    kind = next((zh for word, zh in _WHILE.items() if word in context), "无法识别此处的写法")
    return f"{kind}（{problem or context or type(exc).__name__}）"


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
            if key.startswith("\u3000"):
                raise LouyuError(src, key_line, f"YAML 格式错误：{key.strip()} 前是全角空格（中文输入法的空格）：缩进须用英文半角空格")
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
    value = loader.construct_object(node, deep=True)
    if isinstance(value, str) and value.startswith("－"):
        doc.slips.append((line, f"值“{value[:20]}”以全角短横线“－”开头：列表项须用英文短横线加空格，写成“- ”（现在它是一段文字，不是列表）"))
    return value


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
    """A Markdown file split into its YAML front matter and its body."""

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
