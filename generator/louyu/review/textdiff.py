"""What changed between two texts, down to the character: Chinese has no spaces between words,
so a line or word diff turns one changed number in a long paragraph into a whole changed
paragraph. Here unchanged lines are matched first (fast on long documents), then each run
of changed lines is compared character by character, so a changed number is that number.

`char_diff()` is pure and returns segments (equal / insert / delete) that any front end can
show (the terminal here, the desk in HTML); `render_terminal()` shows them in a terminal.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Segment:
    """A run of text that is the same, added or removed between two revisions."""

    kind: Kind
    text: str


def char_diff(old: str, new: str) -> list[Segment]:
    """`old` turned into `new` as segments; the equal and inserted segments, joined, are
    `new`; the equal and deleted ones, `old`. Neighbouring segments never share a kind."""
    out: list[Segment] = []
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            _add(out, "equal", after)
        else:
            for segment in _chars(before, after):
                _add(out, segment.kind, segment.text)
    return out


# A number (with its decimal point), a Latin word or a URL-ish run is one token, so that
# "30" → "35" is a changed number, not a changed digit; every other character (a Chinese
# character, a punctuation mark) is a token of its own.
_TOKEN = re.compile(r"[0-9A-Za-z_]+(?:[.:/%-][0-9A-Za-z_]+)*|.", re.S)


def _chars(old: str, new: str) -> list[Segment]:
    """Character-level segments of a changed run of lines. A change that leaves less than a
    third of the run in common is shown whole (scattered common characters such as 的 and
    ， would only make it unreadable)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    common = sum(len("".join(a[i:i + size])) for i, _, size in matcher.get_matching_blocks())
    if common * 3 < max(len(old), len(new)):
        return [s for s in (Segment("delete", old), Segment("insert", new)) if s.text]
    out: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(out, "equal", "".join(b[j1:j2]))
        else:
            _add(out, "delete", "".join(a[i1:i2]))
            _add(out, "insert", "".join(b[j1:j2]))
    return out


def _add(out: list[Segment], kind: Kind, text: str) -> None:
    if not text:
        return
    if out and out[-1].kind == kind:
        out[-1] = Segment(kind, out[-1].text + text)
    else:
        out.append(Segment(kind, text))


def changed(segments: list[Segment]) -> bool:
    return any(s.kind != "equal" for s in segments)


# Marks like `git diff --word-diff=plain`: readable without colours, in a log or an email.
MARKS = {"delete": ("[-", "-]"), "insert": ("{+", "+}")}
COLOURS = {"delete": ("\x1b[31m\x1b[9m", "\x1b[0m"), "insert": ("\x1b[32m\x1b[4m", "\x1b[0m")}


def render_terminal(segments: list[Segment], colour: bool = False, context: int = 1) -> str:
    """The lines of the new text that hold a change, each with its line number ("第 12 行")
    and `context` unchanged lines around it; deleted text as [-…-], inserted as {+…+}
    (coloured too, with `colour`). Lines left out are shown as "…"."""
    lines = _marked_lines(segments, COLOURS if colour else MARKS, colour)
    keep = {n for n, (_, touched) in enumerate(lines) if touched}
    keep = {m for n in keep for m in range(n - context, n + context + 1) if 0 <= m < len(lines)}
    out: list[str] = []
    last = -1
    for n in sorted(keep):
        if n != last + 1:
            out.append("  …")
        text, _ = lines[n]
        out.append(f"  第 {n + 1} 行：{text}")
        last = n
    if out and last != len(lines) - 1:
        out.append("  …")
    return "\n".join(out)


def _marked_lines(segments: list[Segment], marks: dict[str, tuple[str, str]], colour: bool) -> list[tuple[str, bool]]:
    """The new text's lines with the changes marked in them, and whether each holds one.
    Deleted text is shown on the line where it was; a deleted line break joins two lines."""
    lines: list[tuple[str, bool]] = []
    current: list[str] = []
    touched = False
    for s in segments:
        if s.kind == "equal":
            parts = s.text.split("\n")
            for k, part in enumerate(parts):
                if k:
                    lines.append(("".join(current), touched))
                    current, touched = [], False
                current.append(part)
            continue
        touched = True
        opening, closing = marks[s.kind]
        shown = s.text.replace("\n", "↵" if s.kind == "delete" else "↵\n")
        parts = shown.split("\n")
        for k, part in enumerate(parts):
            if k:
                current.append(closing)
                lines.append(("".join(current), True))
                current = [opening] if parts[k] else []
                touched = bool(parts[k])
            elif part:
                current.append(opening)
            if part:
                current.append(part)
        if parts[-1]:
            current.append(closing)
    if "".join(current) or touched:
        lines.append(("".join(current), touched))
    return lines
