"""The YAML loader: YAML 1.1 surprises stay text, lines are remembered, tricks are refused."""

import re

import pytest
import yaml

from louyu.platform import yamlload

from louyu.platform.problems import LouyuError
from louyu.platform.yamlload import load_yaml, split_front_matter


def test_yaml11_surprises_stay_text() -> None:
    doc = load_yaml("a: no\nb: 0123\nc: 12:30\nd: 2026-11-21\ne: on\nf: 1e3\ng: true\nh: 42\n", "x.yml")
    assert doc.data == {"a": "no", "b": "0123", "c": "12:30", "d": "2026-11-21", "e": "on", "f": 1000.0, "g": True, "h": 42}


def test_lines_of_keys_and_entries() -> None:
    doc = load_yaml("name: 甲\nstaff:\n  - id: x\n    role: admin\n  - id: y\n    role: bad\n", "s.yml")
    assert doc.line("name") == 1
    assert doc.line("staff", 1, "role") == 6
    assert doc.line("staff", 1) == 5
    assert doc.line("staff", 9, "missing") == 2  # nearest enclosing value


def test_duplicate_key_is_an_error_with_its_line() -> None:
    with pytest.raises(LouyuError) as exc:
        load_yaml("title: a\ndate: 2026-01-01\ntitle: b\n", "x.md")
    assert exc.value.problem.line == 3
    assert "重复" in exc.value.problem.message


def test_anchors_and_aliases_are_refused() -> None:
    with pytest.raises(LouyuError) as exc:
        load_yaml("a: &x [1, 2]\nb: *x\n", "x.yml")
    assert "锚点" in exc.value.problem.message


def test_custom_tags_are_refused() -> None:
    with pytest.raises(LouyuError) as exc:
        load_yaml("a: !!python/name:os.system\n", "x.yml")
    assert "标签" in exc.value.problem.message


def test_syntax_error_names_line_in_chinese() -> None:
    with pytest.raises(LouyuError) as exc:
        load_yaml("a: 1\nb: c: d\n", "x.yml")
    assert exc.value.problem.line == 2
    assert "YAML 格式错误" in exc.value.problem.message


def test_front_matter_lines_are_file_lines() -> None:
    fm = split_front_matter("---\ntitle: t\ndate: 2026-01-01\n---\n\nbody\n", "x.md")
    assert fm.meta.line("date") == 3
    assert fm.body.strip() == "body"
    assert fm.body_line == 5
    with pytest.raises(LouyuError) as exc:
        split_front_matter("no front matter", "x.md")
    assert "front matter" in exc.value.problem.message
    with pytest.raises(LouyuError):
        split_front_matter("---\ntitle: t\n", "x.md")


def test_deep_nesting_is_a_clear_error() -> None:
    with pytest.raises(LouyuError, match="嵌套层数太多"):
        load_yaml("a: " + "[" * 5000 + "]" * 5000, "x.yml")


def test_control_characters_are_named_in_chinese_with_their_line() -> None:
    with pytest.raises(LouyuError) as info:
        load_yaml("title: 好\nbody: a\x01b\n", "x.md", line_offset=1)
    assert info.value.problem.line == 3
    assert "控制字符 U+0001" in info.value.problem.message
    assert "unacceptable" not in info.value.problem.message


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("x: 1\ntitle: [学习\ndate: 2026-11-01\n", 2, "方括号没有闭合"),
        ("x: 1\nscreen: {slide_seconds: 10\nname: 甲\n", 2, "花括号没有闭合"),
        ('x: 1\ntitle: "学习\n\ndate: 2026-11-01\n', 2, "没有闭合"),
    ],
)
def test_a_bracket_or_quote_left_open_is_named_where_it_opens(text: str, line: int, message: str) -> None:
    # YAML notices it lines later (or at the end of the file); the line to fix is the first.
    with pytest.raises(LouyuError) as exc:
        load_yaml(text, "x.yml", line_offset=1)  # as in front matter, after the opening ---
    assert exc.value.problem.line == line + 1 and message in exc.value.problem.message


# Every YAML mistake below, read by LibYAML (PyYAML's C parser, used when installed) and by
# PyYAML's pure-Python parser: both word their errors in English, differently, and the
# wording changes between releases (PyYAML 6.0.4's LibYAML added a nesting limit).
BROKEN_YAML = [
    "a: b: c",
    "a:\n\tb: 1",
    "a: [1, 2",
    "a: {x: 1",
    'a: "x\\q"',
    'a: "\\xZZ"',
    "a: *x",
    "a: 1\n b: 2",
    "- a\nb: 1",
    "a: |0\n  x",
    "a: |x",
    "a: 1\n---\nb: 2",
    "a: @x",
    "a: `x",
    'a: "x\n---\n"',
    "a:\n  - 1\n - 2",
    "key: value\n  bad: 1",
    'a: "',
    "a: 'x",
    "x: 1\ny",
    "a: b\n- c",
    "a: " + "[" * 3000,
    "a:\n" + "".join("  " * i + "k:\n" for i in range(1, 1200)),
    "- " * 3000 + "x",
    "title: 好\nbody: a\x01b\n",
    "a: \x7f",
    "a: \ud800",
]

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
ALLOWED_WORDS = {"YAML", "Tab", "UTF", "GBK"}


def _outside_parentheses(message: str) -> str:
    # The parser's own words may follow in （…）, after the Chinese explanation.
    return re.sub(r"（[^（）]*）", "", message)


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "libyaml":
        assert hasattr(yaml, "CSafeLoader"), "PyYAML's wheels come with LibYAML"
        monkeypatch.setattr(yamlload, "_CoreLoader", yamlload._core_loader(yaml.CSafeLoader))
    else:
        monkeypatch.setattr(yamlload, "_CoreLoader", yamlload._PURE_LOADER)
    return str(request.param)


@pytest.mark.parametrize("text", BROKEN_YAML)
def test_every_yaml_mistake_is_told_in_chinese_by_both_parsers(parser: str, text: str) -> None:
    with pytest.raises(LouyuError) as info:
        load_yaml(text, "stations/a.yml")
    problem = info.value.problem
    assert problem.path == "stations/a.yml" and problem.line >= 1
    assert re.search(r"[\u4e00-\u9fff]", problem.message), problem.message
    words = set(ENGLISH_WORD.findall(_outside_parentheses(problem.message))) - ALLOWED_WORDS
    assert not words, f"{parser}: English reaches staff: {problem.message}"


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000, "a:\n" + "".join("  " * i + "k:\n" for i in range(1, 1200))])
def test_deep_nesting_is_the_same_message_whichever_parser(parser: str, text: str) -> None:
    # LibYAML stops at its nesting limit (a ScannerError), pure Python at the recursion limit.
    with pytest.raises(LouyuError) as info:
        load_yaml(text, "x.yml")
    assert info.value.problem.message == "YAML 嵌套层数太多"


def test_control_character_line_is_right_after_chinese_text(parser: str) -> None:
    # LibYAML counts bytes, Python characters: the line must be the same either way.
    text = "标题: " + "好" * 300 + "\n摘要: 一二三\n正文: a\x02b\n"
    with pytest.raises(LouyuError) as info:
        load_yaml(text, "x.md", line_offset=1)
    assert info.value.problem.line == 4
    assert "控制字符 U+0002" in info.value.problem.message


def test_a_mistake_no_table_knows_is_named_by_kind_with_the_original(monkeypatch: pytest.MonkeyPatch) -> None:
    # A newer PyYAML may word a problem in a way louyu has never seen.
    monkeypatch.setattr(yamlload, "_TRANSLATIONS", [])
    with pytest.raises(LouyuError) as info:
        load_yaml("a: [1, 2", "x.yml")
    message = info.value.problem.message
    assert message.startswith("YAML 格式错误：结构不完整或缩进不一致（"), message
    assert "expected" in message  # the parser's own words, kept in parentheses
    assert not set(ENGLISH_WORD.findall(_outside_parentheses(message))) - ALLOWED_WORDS
