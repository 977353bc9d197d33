"""An item being edited: where its files are, what the posted form makes of it, and which
field or editor line each problem `check` finds belongs to. Used by the admin's routes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..platform.catalogue import scope_hint
from ..platform.model import Item
from ..platform.problems import Problem
from .guard import Person, Refused
from .itemfile import Written, fields_for, read_item, values_from_form, write_item
from .permissions import check_item_path
from .workspace import Desk


@dataclass(frozen=True)
class Place:
    key: str  # content/<station>/<section>/<name>
    station: str
    section: str
    name: str
    md: Path  # the Markdown file (index.md of a bundle, or <name>.md)
    folder: Path  # where its files are (the bundle folder; for a single file, what it becomes)
    exists: bool

    @property
    def bundle(self) -> bool:
        return self.md.name == "index.md"

    def paths(self) -> list[str]:
        """What a save of this item commits: the bundle folder and, where it was one file, that file."""
        return [f"{self.key}.md", f"{self.key}/"]


def place_of(desk: Desk, person: Person, key: str) -> Place:
    """The item at `key`, checked against what `person` may write (Refused otherwise)."""
    parts = key.strip("/").split("/")
    if len(parts) != 4 or parts[0] != "content":
        raise Refused(404, f"不是条目的位置：{key[:80]}")
    _, station, section, name = parts
    check_item_path(desk.platform, person.staff, station, section, name)
    root = desk.root
    section_dir = root / "content" / station / section
    for folder in (root / "content", root / "content" / station, section_dir):
        if folder.is_symlink():
            raise Refused(400, f"{folder.relative_to(root)} 是符号链接，书桌不写入")
    folder = section_dir / name
    if folder.is_symlink():
        raise Refused(400, f"{key} 是符号链接，书桌不写入")
    flat = section_dir / f"{name}.md"
    if (folder / "index.md").is_file():
        return Place(key, station, section, name, folder / "index.md", folder, True)
    if flat.is_file():
        return Place(key, station, section, name, flat, folder, True)
    return Place(key, station, section, name, folder / "index.md", folder, False)


def make_bundle(place: Place) -> Place:
    """A one-file item becomes a bundle (x.md -> x/index.md) when a file is added to it."""
    if place.bundle:
        place.folder.mkdir(parents=True, exist_ok=True)
        return place
    place.folder.mkdir(parents=True, exist_ok=True)
    target = place.folder / "index.md"
    os.replace(place.md, target)
    return Place(place.key, place.station, place.section, place.name, target, place.folder, True)


def files_in(place: Place) -> list[str]:
    """The files of the item's folder (what can be a cover, an attachment or a picture)."""
    if not place.bundle or not place.folder.is_dir():
        return []
    return sorted(e.name for e in os.scandir(place.folder) if e.is_file(follow_symlinks=False) and e.name != "index.md")


def posted(form: Any) -> dict[str, Any]:
    """The form as plain values (lists for the multi-choice fields)."""
    data: dict[str, Any] = {}
    for key in set(form.keys()):
        values = form.getlist(key)
        data[key] = values if key in ("audience", "attachments") else values[-1]
    return data


def compose(desk: Desk, person: Person, place: Place, data: dict[str, Any]) -> Written:
    """The Markdown the form describes: its fields, the body, the author (kept from the file,
    else the person saving), and the keys of the file the form does not show, as they were."""
    kept: dict[str, Any] = {}
    author = person.staff.id
    if place.exists:
        kept, _ = read_item(place.md)
        author = str(kept.get("author") or author)
    values = values_from_form(place.section, data)
    values = {"title": values.pop("title", ""), "date": values.pop("date", ""), "author": author, **values}
    values = {k: v for k, v in values.items() if v != ""}
    handled = {f.key for f in fields_for(place.section)} | {"title", "date", "author"}
    return write_item(values, str(data.get("body", "")), kept, handled)


@dataclass
class Placed:
    """Problems sorted to where the person sees them."""

    fields: dict[str, list[Problem]] = field(default_factory=dict)
    lines: dict[int, list[Problem]] = field(default_factory=dict)  # editor line (1-based) -> problems
    other: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        every = [p for ps in self.fields.values() for p in ps] + [p for ps in self.lines.values() for p in ps] + self.other
        return sum(1 for p in every if p.level == "error")

    def as_json(self) -> dict[str, Any]:
        def one(p: Problem) -> dict[str, Any]:
            return {"level": p.level, "message": p.message, "where": f"{p.path}:{p.line}"}

        return {
            "fields": {k: [one(p) for p in ps] for k, ps in self.fields.items()},
            "lines": {str(n): [one(p) for p in ps] for n, ps in self.lines.items()},
            "other": [one(p) for p in self.other],
            "errors": self.errors,
        }


def place_problems(problems: list[Problem], rel: str, written: Written, section: str) -> Placed:
    keys = [f.key for f in fields_for(section)] + ["author"]
    at_line = {line: key for key, line in written.lines.items()}
    placed = Placed()
    for p in problems:
        if p.path != rel:
            placed.other.append(p)
            continue
        named = [k for k in keys if re.search(rf"(?<![a-z_]){k}(?![a-z_])", p.message)]
        key = at_line.get(p.line)
        if key is not None and (key in named or not named):
            placed.fields.setdefault(key, []).append(p)
        elif named:
            placed.fields.setdefault(named[0], []).append(p)
        elif p.line >= written.body_line:
            placed.lines.setdefault(p.line - written.body_line + 1, []).append(p)
        else:
            placed.other.append(p)
    return placed


def check_posted(desk: Desk, person: Person, place: Place, data: dict[str, Any], with_problems: bool = False) -> Any:
    """What `check` says of the item the form describes, without writing anything: the file's
    text, the item (None when it has errors) and its problems placed (and as found)."""
    written = compose(desk, person, place, data)
    item, problems = desk.parse(place.md, written.text.encode("utf-8"))
    rel = place.md.relative_to(desk.root).as_posix()
    placed = place_problems(problems, rel, written, place.section)
    hint = scope_hint(item) if item is not None else None
    if hint is not None:  # where the admin chooses 公开范围: a public 党费 notice is worth a second look
        placed.fields.setdefault("scope", []).append(Problem(rel, hint[0], hint[1].removeprefix("提示："), "warning"))
    return (written, item, placed, problems) if with_problems else (written, item, placed)
