"""The incremental build: every output's key compared with the record of the folder, and
only the files whose keys changed written, as one staged update (pipeline/write.py). In
`louyu serve`'s private folder a part of a station whose key is the one it had last time
is taken as it is (render/parts.py)."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ..memo.record import OutputRecord, folders_of
from ..render.output import Output
from ..render.site import SiteRenderer
from .write import MARKER, MEMBERS_MARKER, ConflictError, StagedUpdate

if TYPE_CHECKING:
    from .build import BuildResult

Progress = Callable[[str, int, int], None]

MARKER_TEXT = b"This folder is written by louyu build and replaced whole by the next build.\n"
MARKER_OUTPUT = Output(MARKER, "marker", lambda: MARKER_TEXT)
MEMBERS_MARKER_TEXT = b"This folder holds the members' sites (louyu build --members): party-internal, not for the public.\n"
MEMBERS_MARKER_OUTPUT = Output(MEMBERS_MARKER, "members-marker", lambda: MEMBERS_MARKER_TEXT)


def top_outputs(renderer: SiteRenderer) -> Iterator[Output]:
    """The marker(s) saying what the folder holds, then the files at its top."""
    yield MARKER_OUTPUT
    if renderer.publication.members:
        yield MEMBERS_MARKER_OUTPUT
    yield from renderer.root_outputs()


@dataclass(frozen=True)
class Held:
    """A part of a station's files unchanged since the last build of this process (its key,
    render/site.py `station_parts`, is the same): their paths, taken as they are, their keys
    not computed."""

    paths: list[str]


def _all_outputs(
    renderer: SiteRenderer, ids: list[str], progress: Progress | None = None,
    steady: dict[str, tuple[str, list[str]]] | None = None,
) -> Iterator[Output | Held]:
    """Every output with its key. `steady` (a private folder's record, memo/record.py): the
    key and paths of each part of each station as the last build left them; a part whose key
    is the same comes as one `Held`. Updated here with every part's, for the next build."""
    yield from top_outputs(renderer)
    for n, sid in enumerate(ids, start=1):
        site = renderer.publication.sites[sid]
        yield from renderer.clocked_outputs(site)
        static: tuple[str, str | None, Callable[[], Iterator[Output]]] = ("static", renderer.part_keys.static(sid), functools.partial(renderer.static_outputs, sid))
        parts = itertools.chain([static], renderer.station_parts(site))
        for name, key, outputs in parts:
            if steady is None:
                yield from outputs()
                continue
            slot = f"{sid}:{name}"
            kept = steady.pop(slot, None)
            if key is not None and kept is not None and kept[0] == key:
                steady[slot] = kept
                yield Held(kept[1])
                continue
            paths = []
            for out in outputs():
                paths.append(out.path)
                yield out
            if key is not None:
                steady[slot] = (key, paths)
        if progress:
            progress(sid, n, len(ids))


def write_changes(
    renderer: SiteRenderer, output: Path, stations: list[str] | None, result: BuildResult,
    progress: Progress | None, record: OutputRecord, pending: Callable[[], None],
) -> bool:
    """The incremental build; False when it does not apply (then everything is written)."""
    if not record.folders_untouched(output):
        return False  # something was added or removed by hand: start afresh
    ids = sorted(renderer.publication.sites)
    planned: set[str] = set()
    changed: list[Output] = []
    # (a private folder's stations that an edit left alone are taken as they are: tried and
    # updated on a copy, which becomes the record's once the changes are in place)
    steady = dict(record.steady) if record.private else None
    for out in _all_outputs(renderer, ids, progress, steady):
        if isinstance(out, Held):
            planned.update(out.paths)
            result.held += 1
            continue
        planned.add(out.path)
        if not record.holds(output, out.path, out.key):
            changed.append(out)
    if len(changed) > max(64, len(planned) // 4):
        return False  # most of it is new: a whole tree is as fast, and swapped in at once
    pending()  # the keys are known: now the changed files need the new renderings
    scope = tuple(f"{sid}/" for sid in ids)
    removed = [p for p in record.files if p not in planned and (stations is None or "/" not in p or p.startswith(scope))]
    update = StagedUpdate(output)
    try:
        for out in changed:
            data = out.make()
            if isinstance(data, bytes) and record.untouched(output, out.path) and _holds_bytes(output / out.path, data):
                continue  # made from other inputs, to the same bytes (a search shard an edit left alone)
            update.write(out.path, data)
        for path in removed:
            update.remove(path)
        update.commit()
    except ConflictError:
        update.abandon()
        return False
    except BaseException:
        update.abandon()
        raise
    for path in removed:
        record.forget(path)
    record.note_written(output, {o.path: o.key for o in changed})
    record.steady = steady or {}
    record.note_folders(output, folders_of([*(o.path for o in changed), *removed]))
    for sid in ids:
        result.pages[sid] = len(renderer.publication.sites[sid].pages)
    result.files, result.bytes_written = update.writer.files, update.writer.bytes_written
    result.unchanged = len(planned) - len(changed)
    return True


def _holds_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
