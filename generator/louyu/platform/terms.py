"""terms/*.yml: the platform's word lists (错敏词), and finding their words in a text.

Each file is a YAML list; an entry is either a wrong form with its right form
(`{wrong: 错误形式, right: 规范形式, note: …}`: misspelled names and titles, outdated
names) or a word that must not appear (`{banned: 词语, level: error | warning, note: …}`).
`level` is `error` unless an entry says otherwise (a wrong name of a leader fails a site
outright). louyu ships no list of its own: lists come from a platform's superior organisation.

All words of all lists go into one Aho-Corasick automaton (ahocorasick-rs, Rust): a text
is read once, however long the lists are (pyahocorasick, measured the same way, took 11
times as long on 4,000 items of Chinese: 1.55 s against 0.14 s). ASCII and full-width letters match whatever their
case and width. A wrong form found inside an occurrence of a right form (`中国共产党`
inside `中国共产党员`, say) is that right form, not a mistake; a word found inside a longer
finding is not reported twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from . import schema as s
from .digest import key_of
from .problems import LouyuError, Problems
from .reading import files_under, read_text
from .visible import Seen, seen_in_text
from .yamlload import load_yaml

LEVELS = ("error", "warning")

# What the matcher compares: ASCII capitals and full-width letters and digits as plain
# lower-case ASCII (one character for one, so offsets stay those of the text).
_FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})  # ０-９
_FOLD.update({c: c - 0xFEE0 + 32 for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ


_FOLDABLE = re.compile("[A-Z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def fold(text: str) -> str:
    # (translate() on the whole text costs a dictionary lookup per character; most texts
    # have no letter to fold at all)
    return _FOLDABLE.sub(lambda m: m.group(0).translate(_FOLD), text)


@dataclass(frozen=True)
class Term:
    """A word of the platform's lists in terms/: a banned word, or a wrong form and its right one."""

    form: str  # the word looked for, as the list writes it
    right: str | None  # the right form, for a wrong form; None for a banned word
    level: str
    note: str | None
    path: str
    line: int

    def message(self, found: str) -> str:
        note = f"（{self.note}）" if self.note else ""
        if self.right is not None:
            return f"「{found}」应为「{self.right}」{note}"
        return f"「{found}」是不得使用的词语{note}"


class Hit(NamedTuple):  # (a tuple: a list may find tens of thousands in a platform)
    line: int
    term: Term
    found: str  # as the text writes it

    @property
    def message(self) -> str:
        return self.term.message(self.found)


class TermList:
    """Every entry of a platform's lists; `find()` looks for them in a text."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        # What the lists say (not where: a comment added above an entry changes no finding), a
        # part of the key under which the build cache keeps items parsed.
        self.key = key_of("terms-v1", [(t.form, t.right, t.level, t.note) for t in terms])
        self._automaton: Any = None
        # For each wrong form, the right forms it is part of, with where in them it sits.
        self._within: dict[str, list[tuple[str, int]]] = {}

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def _build(self) -> Any:
        import ahocorasick_rs

        automaton = ahocorasick_rs.AhoCorasick([fold(t.form) for t in self.terms], matchkind=ahocorasick_rs.MatchKind.Standard)
        rights = {fold(t.right) for t in self.terms if t.right is not None}
        for term in self.terms:
            if term.right is None:
                continue
            wrong = fold(term.form)
            places = []
            for right in rights:
                at = right.find(wrong)
                while at != -1:
                    places.append((right, at))
                    at = right.find(wrong, at + 1)
            if places:
                self._within[term.form] = places
        return automaton

    def find(self, seen: Seen) -> list[Hit]:
        """The findings in a text as a reader sees it, in order."""
        if not self.terms or not seen.text:
            return []
        if self._automaton is None:
            self._automaton = self._build()
        folded = fold(seen.text)
        terms, within = self.terms, self._within
        spans: list[tuple[int, int, int]] = []
        for index, start, end in self._automaton.find_matches_as_indexes(folded, overlapping=True):
            form = terms[index].form
            if form in within and self._inside_right_form(folded, form, start):
                continue
            spans.append((start, -end, index))
        spans.sort()
        hits: list[Hit] = []
        reach = -1
        for start, minus_end, index in spans:
            end = -minus_end
            if end <= reach:
                continue  # part of a longer finding
            reach = end
            hits.append(Hit(seen.line_at(start), terms[index], seen.text[start:end]))
        return hits

    def _inside_right_form(self, folded: str, form: str, start: int) -> bool:
        for right, at in self._within.get(form, ()):
            if start >= at and folded.startswith(right, start - at):
                return True
        return False


def _form(value: Any) -> str:
    word = s.text(value)
    if "\n" in word:
        raise s.Invalid("应为一行文字")
    return word


TERM_FIELDS = [
    s.Field("wrong", _form, doc="错误形式"),
    s.Field("right", _form, doc="规范形式"),
    s.Field("banned", _form, doc="不得使用的词语"),
    s.Field("level", s.one_of(*LEVELS), doc="error 或 warning"),
    s.Field("note", s.text, doc="说明"),
]


def load_terms(root: Path, problems: Problems) -> TermList:
    """Every entry of every terms/**/*.yml, each checked, with the line of a bad one."""
    folder = root / "terms"
    terms: list[Term] = []
    if not folder.is_dir():
        if folder.exists():
            problems.warning("terms", 1, "terms 应为文件夹，其中每个 .yml 文件是一份词表（此文件已忽略）")
        return TermList(terms)
    seen: dict[str, Term] = {}
    for rel in sorted(files_under(str(folder), "terms/"), key=lambda r: r.split("/")):
        if not rel.endswith((".yml", ".yaml")):
            problems.warning(rel, 1, "terms/ 下只读取 .yml 词表，此文件已忽略")
            continue
        for term in _load_list(root / rel, rel, problems):
            earlier = seen.get(fold(term.form))
            if earlier is not None:
                problems.warning(rel, term.line, f"「{term.form}」已在 {earlier.path}:{earlier.line} 列出（此条已忽略）")
                continue
            seen[fold(term.form)] = term
            terms.append(term)
    return TermList(terms)


def _load_list(path: Path, rel: str, problems: Problems) -> list[Term]:
    try:
        _, text = read_text(path, rel)
        doc = load_yaml(text, rel)
    except LouyuError as exc:
        problems.add(exc.problem)
        return []
    if doc.data is None:
        return []
    if not isinstance(doc.data, list):
        problems.error(rel, 1, "词表应为列表，每条以“- wrong: …”（并写 right: …）或“- banned: …”开始")
        return []
    terms: list[Term] = []
    for i, _ in enumerate(doc.data):
        line = doc.line(i)
        n_before = problems.error_count
        values = s.apply(doc, TERM_FIELDS, rel, problems, (i,))
        if problems.error_count > n_before:
            continue
        wrong, right, banned = values.get("wrong"), values.get("right"), values.get("banned")
        if (wrong is None) == (banned is None):
            what = "只能有 wrong 和 banned 之一" if wrong else "应有 wrong（错误形式，并写 right）或 banned（不得使用的词语）"
            problems.error(rel, line, f"词条{what}")
            continue
        if wrong is not None and right is None:
            problems.error(rel, line, f"词条「{wrong}」缺少 right（规范形式）")
            continue
        if banned is not None and right is not None:
            problems.error(rel, doc.line(i, "right"), f"banned 词条不用写 right：「{banned}」不得使用，没有规范形式")
            continue
        form = str(wrong if wrong is not None else banned)  # (exactly one of the two, checked above)
        if right is not None and fold(form) == fold(right):
            problems.error(rel, doc.line(i, "right"), f"词条「{form}」的 right 与 wrong 相同")
            continue
        terms.append(Term(form, right, values.get("level", "error"), values.get("note"), rel, line))
    return terms


_YAML_COMMENT = re.compile(r"(?:^|[ \t])#.*$", re.M)


def seen_in_yaml(text: str) -> Seen:
    """A YAML file's text without its comments (which no reader sees), line for line; its
    values are what a station's pages show (names, addresses, descriptions, rooms)."""
    return seen_in_text(_YAML_COMMENT.sub("", text) if "#" in text else text)


def check_station_files(root: Path, paths: list[str], terms: TermList, problems: Problems) -> None:
    """The lists' words in station files (shown on every station's about page and screen)."""
    if not terms:
        return
    for rel in paths:
        try:
            text = (root / rel).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # said when the station was loaded
        for hit in terms.find(seen_in_yaml(text)):
            problems.at_level(hit.term.level, rel, hit.line, hit.message)

