"""Using every core: item revisions and station sites rendered in forked workers.

The parent prepares everything (platform, publication, theme, the Chinese
segmenter's dictionary) and then forks, so workers share it copy-on-write and receive only
small work orders. Each worker writes its stations' files straight into the
temporary output folder and returns counts. With one core, or little work,
everything runs in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from .model import Item
from .problems import LouyuError
from .render.site import SiteRenderer
from .write import TreeWriter

_RENDERER: SiteRenderer | None = None  # set in the parent just before forking


def jobs() -> int:
    wanted = os.environ.get("LOUYU_JOBS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _pool(n: int) -> Any:
    return multiprocessing.get_context("fork").Pool(n)


FEW_ITEMS = 40  # fewer are not worth a pool of workers


class ConversionHelper:
    """A worker forked as a build starts. Loading what converting an item needs (Markdown's
    extensions, the segmenter's dictionary: ~0.2 s) is done there, on the other core, while
    the build loads the platform; if some revisions are not in the cache (one edit), the
    helper converts them, else it is stopped unused."""

    def __init__(self, config_file: Path) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_helper_main, args=(config_file, child, self.conn), daemon=True)
        self.proc.start()
        child.close()

    @classmethod
    def start(cls, config_file: Path) -> "ConversionHelper | None":
        # Not worth it on one core, nor in a process that has converted items before (serve).
        if jobs() < 2 or "rjieba" in sys.modules:
            return None
        try:
            return cls(config_file)
        except OSError:
            return None

    def convert(self, fingerprint: str, items: list[Item]) -> Callable[[], dict[str, Any] | None]:
        """Send the work; the returned call waits for it (None: do it yourself)."""
        try:
            self.conn.send((fingerprint, items))
        except (OSError, ValueError):
            self.stop()
            return lambda: None
        result: list[Any] = []

        def wait() -> dict[str, Any] | None:
            if not result:
                try:
                    result.append(self.conn.recv())
                except (EOFError, OSError):
                    result.append(None)
                self.stop()
            if isinstance(result[0], LouyuError):
                raise result[0]
            return result[0] if isinstance(result[0], dict) else None

        return wait

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join()
        self.conn.close()


def _helper_main(config_file: Path, conn: Any, parents_end: Any) -> None:
    # Without the build's end of the pipe, a build killed meanwhile means EOF here, not a wait forever.
    parents_end.close()
    from .problems import Problems
    from .render.content import ContentRenderer
    from .render.theme import prepare_markdown_config, segment_chinese
    from .settings import load_config

    content = None
    try:
        config, _, _ = load_config(config_file, Problems())
        if config is not None:
            extensions, configs, fingerprint = prepare_markdown_config(config)
            content = ContentRenderer(lambda: (extensions, configs), fingerprint)
            assert content.md is not None  # load the extensions now
            segment_chinese("楼宇党建")  # and the dictionary
    except Exception:  # the build itself reports what is wrong with mkdocs.yml
        content = None
    try:
        order = conn.recv()
    except (EOFError, OSError):
        return
    fingerprint, items = order
    if content is None or content.fingerprint() != fingerprint:
        conn.send(None)  # mkdocs.yml changed meanwhile, or is broken: the build converts
        return
    try:
        conn.send({i.digest: content.render(i).to_json() for i in items})
    except LouyuError as exc:
        conn.send(exc)


def render_items_in_background(renderer: SiteRenderer, items: list[Item]) -> Callable[[], dict[str, Any]]:
    """A few item revisions converted by one forked worker while the caller goes on
    (loading Markdown's extensions and the segmenter's dictionary takes ~0.2 s).
    Returns the call that waits for digest -> cacheable rendering."""
    global _RENDERER
    if jobs() == 1:
        return lambda: {i.digest: renderer.content.render(i).to_json() for i in items}
    _RENDERER = renderer
    pool = _pool(1)
    try:
        job = pool.apply_async(_render_chunk, (items,))
    finally:
        _RENDERER = None
    done: list[dict[str, Any]] = []

    def wait() -> dict[str, Any]:
        if not done:
            try:
                done.append(job.get())
            finally:
                pool.terminate()
        return done[0]

    return wait


def render_items(renderer: SiteRenderer, items: list[Item]) -> dict[str, Any]:
    """Digest -> cacheable rendering of each item revision."""
    global _RENDERER
    n = jobs()
    if n == 1 or len(items) < FEW_ITEMS:
        return {i.digest: renderer.content.render(i).to_json() for i in items}
    _RENDERER = renderer
    chunks = [items[k::n * 4] for k in range(n * 4)]
    out: dict[str, Any] = {}
    with _pool(n) as pool:
        for part in pool.imap_unordered(_render_chunk, chunks):
            out.update(part)
    _RENDERER = None
    return out


def _render_chunk(items: list[Item]) -> dict[str, Any]:
    assert _RENDERER is not None
    return {i.digest: _RENDERER.content.render(i).to_json() for i in items}


# station, files, bytes, path -> key, memo kind -> (values computed, keys used)
Written = tuple[str, int, int, dict[str, "str | None"], dict[str, tuple[dict[str, Any], set[str]]]]


def write_stations(renderer: SiteRenderer, root: Path, station_ids: list[str]) -> Iterator[Written]:
    """(station, files, bytes, keys) as each station's site is written under root/<station>/."""
    global _RENDERER
    n = min(jobs(), len(station_ids))
    _RENDERER = renderer
    if n <= 1:
        try:
            for sid in station_ids:
                yield _write_station((sid, root))
        finally:
            _RENDERER = None
        return
    try:
        with _pool(n) as pool:
            yield from pool.imap_unordered(_write_station, [(sid, root) for sid in station_ids])
    finally:
        _RENDERER = None


def _write_station(order: tuple[str, Path]) -> Written:
    sid, root = order
    renderer = _RENDERER
    assert renderer is not None
    writer = TreeWriter(root)
    keys: dict[str, str | None] = {}
    for out in renderer.station_outputs(renderer.publication.sites[sid]):
        writer.write(out.path, out.make())
        keys[out.path] = out.key
    memos = {kind: (memo.new, memo.used) for kind, memo in renderer.memos.items()}
    return sid, writer.files, writer.bytes_written, keys, memos
