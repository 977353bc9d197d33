"""Items (and review ledgers) parsed by an earlier build, reused while nothing they were
read from has changed.

Parsing 400 items' front matter, links and personal-data checks takes longer than the
rest of a one-edit build. So `louyu build` keeps, in the build cache, each item as
parsed, under a key made of everything the parse reads: the Markdown file's bytes
(sha256), its place (station, section, name), every station file's contents (authors
and audiences are checked against them) and louyu's own code. Referenced files are
checked again on every build: the memo holds where each resolved to and its size,
times and inode, and any difference means parsing afresh. Items with errors are
never kept, so every error is found again (a missing file may have appeared since).
Warnings are kept with the item and reported again. A ledger is kept under its bytes
and the list of staff (decisions name them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable

from ..platform.config import LoadedConfig
from ..platform.reuse import LoadConfig, ParseItem, ParseLedger, Place
from ..platform.model import Decision, FileRef, Finding, Item, Staff, Station
from ..platform.digest import key_of
from ..platform.problems import Problem, Problems
from ..platform.terms import TermList
from ..version import code_fingerprint
from .cache import Memo
from .config import config_with_memo
from .record import file_state

DATES = {"date", "expires"}
DATETIMES = {"start", "end"}
NOT_STORED = {"source", "folder", "refs", "revision", "findings"}  # re-read, or kept apart


def memo_key(root: Path, rel: str, place: tuple[str, str, str, bool], raw: bytes, stations_key: str) -> str:
    return key_of("item-v2", code_fingerprint(), str(root), rel, place, hashlib.sha256(raw).hexdigest(), stations_key)


def encode(item: Item, problems: list[Problem]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields(Item):
        if f.name in NOT_STORED:
            continue
        value = getattr(item, f.name)
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    refs = []
    for target, ref in item.refs.items():
        assert ref.abs_path is not None
        candidate = os.path.normpath(os.path.join(item.folder, ref.rel))
        refs.append([target, ref.rel, candidate, str(ref.abs_path), file_state(str(ref.abs_path))])
    return {
        "item": data,
        "refs": refs,
        "findings": [[f.path, f.line, f.level, f.message, f.form] for f in item.findings],
        "problems": [[p.path, p.line, p.message, p.level] for p in problems],
    }


def decode(entry: dict[str, Any], raw: bytes, folder: Path) -> tuple[Item, list[Problem]] | None:
    """The item again, or None if a referenced file is not what it was."""
    try:
        refs: dict[str, FileRef] = {}
        for target, rel, candidate, real, state in entry["refs"]:
            if state is None or os.path.realpath(candidate) != real or file_state(real) != state:
                return None
            refs[target] = FileRef(rel=rel, abs_path=Path(real), size=state[0])
        data = dict(entry["item"])
        for name in DATES:
            if data.get(name) is not None:
                data[name] = dt.date.fromisoformat(data[name])
        for name in DATETIMES:
            if data.get(name) is not None:
                data[name] = dt.datetime.fromisoformat(data[name])
        if isinstance(data.get("audience"), list):
            data["audience"] = tuple(data["audience"])
        findings = [Finding(path, line, level, message, form) for path, line, level, message, form in entry["findings"]]
        item = Item(source=raw, folder=folder, refs=refs, findings=findings, **data)
        problems = [Problem(path, line, message, level) for path, line, message, level in entry["problems"]]
    except (KeyError, TypeError, ValueError):
        return None  # not what this code writes: parsed afresh
    return item, problems


def parse_with_memo(
    memo: Memo, root: Path, md: Path, rel: str, place: tuple[str, str, str, bool], stations_key: str,
    problems: Problems, parse: Callable[[Problems], Item | None], read: Callable[[Path], bytes] = Path.read_bytes,
) -> Item | None:
    """`parse(problems)` unless the memo holds this exact item (`read`: how the file is read)."""
    try:
        raw = read(md)
    except OSError:
        return parse(problems)  # which reports why
    key = memo_key(root, rel, place, raw, stations_key)
    entry = memo.values.get(key)
    if isinstance(entry, dict):
        found = decode(entry, raw, md.parent)
        if found is not None:
            memo.used.add(key)
            for p in found[1]:
                problems.add(p)
            return found[0]
    local = Problems()
    item = parse(local)
    for p in local:
        problems.add(p)
    if item is not None and not local.errors and item.revision is None:
        memo.put(key, encode(item, list(local)))
    return item


def parsed_entry(parse: Callable[[Problems], Item | None]) -> dict[str, Any] | None:
    """What the memo keeps of an item parsed now (None: an item with errors is never kept),
    for a parse made elsewhere (pipeline/parallel.py: on every core, ahead of the loader)."""
    local = Problems()
    item = parse(local)
    if item is None or local.errors or item.revision is not None:
        return None
    return encode(item, list(local))


# -- review ledgers -------------------------------------------------------------------


def ledger_with_memo(
    memo: Memo, path: Path, rel: str, staff_key: str, problems: Problems,
    parse: Callable[[Problems], list[Decision] | None], read: Callable[[Path], bytes] = Path.read_bytes,
) -> list[Decision] | None:
    """A ledger's decisions, from the memo when its bytes and the staff list are unchanged."""
    try:
        raw = read(path)
    except OSError:
        return parse(problems)
    key = key_of("ledger-v1", code_fingerprint(), rel, hashlib.sha256(raw).hexdigest(), staff_key)
    entry = memo.values.get(key)
    if isinstance(entry, dict):
        try:
            kept = [
                Decision(d["decision"], d["digest"], d["by"], dt.datetime.fromisoformat(d["at"]), d["line"], d["note"], d["signature"])
                for d in entry["decisions"]
            ]
            replay = [Problem(p, line, message, level) for p, line, message, level in entry["problems"]]
        except (KeyError, TypeError, ValueError):
            pass
        else:
            memo.used.add(key)
            for p in replay:
                problems.add(p)
            return kept
    local = Problems()
    decisions = parse(local)
    for p in local:
        problems.add(p)
    if decisions is not None and not local.errors:
        memo.put(key, {
            "decisions": [
                {"decision": d.decision, "digest": d.digest, "by": d.by, "at": d.at.isoformat(), "line": d.line, "note": d.note, "signature": d.signature}
                for d in decisions
            ],
            "problems": [[p.path, p.line, p.message, p.level] for p in local],
        })
    return decisions


class ParsedBefore:
    """The loader's `Reuse` (platform/reuse.py) over the build cache: items and ledgers
    parsed and mkdocs.yml validated by an earlier build (`parsed`, `configs`: memos from
    the cache; either may be None, then that part is read afresh; `read`: how a file is
    read, by default from the disk)."""

    def __init__(self, parsed: Memo | None = None, configs: Memo | None = None, read: Callable[[Path], bytes] | None = None) -> None:
        self.parsed = parsed
        self.configs = configs
        self.read = read or Path.read_bytes
        self._stations: tuple[tuple[int, int], str] | None = None
        self._staff: tuple[int, str] | None = None

    def ahead(self, root: Path, files: list[tuple[Path, str, Place, ParseItem]], stations: dict[str, Station], terms: TermList) -> None:
        pass  # (pipeline/parallel.py ParseAhead parses what the memo lacks on every core)

    def missing(self, root: Path, files: list[tuple[Path, str, Place, ParseItem]], stations: dict[str, Station], terms: TermList) -> list[tuple[str, ParseItem]]:
        """(memo key, parse) of the items the memo does not hold."""
        if self.parsed is None:
            return []
        out = []
        for md, rel, place, parse in files:
            try:
                raw = self.read(md)
            except OSError:
                continue  # (the loader says why)
            key = memo_key(root, rel, place, raw, self._stations_key(stations, terms))
            if not isinstance(self.parsed.values.get(key), dict):
                out.append((key, parse))
        return out

    def item(self, root: Path, md: Path, rel: str, place: Place, stations: dict[str, Station], terms: TermList, problems: Problems, parse: ParseItem) -> Item | None:
        if self.parsed is None:
            return parse(problems)
        return parse_with_memo(self.parsed, root, md, rel, place, self._stations_key(stations, terms), problems, parse, self.read)

    def _stations_key(self, stations: dict[str, Station], terms: TermList) -> str:
        if self._stations is None or self._stations[0] != (id(stations), id(terms)):  # one platform's, keyed once
            self._stations = ((id(stations), id(terms)), key_of(sorted(stations.items()), terms.key))
        return self._stations[1]

    def ledger(self, path: Path, rel: str, staff: dict[str, Staff], problems: Problems, parse: ParseLedger) -> list[Decision] | None:
        if self.parsed is None:
            return parse(problems)
        if self._staff is None or self._staff[0] != id(staff):
            self._staff = (id(staff), key_of(sorted(staff)))
        return ledger_with_memo(self.parsed, path, rel, self._staff[1], problems, parse, self.read)

    def config(self, config_file: Path, problems: Problems, load: LoadConfig) -> LoadedConfig:
        if self.configs is None:
            return load(config_file, problems)
        return config_with_memo(self.configs, config_file, problems, load)
