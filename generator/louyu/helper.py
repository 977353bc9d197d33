"""The conversion helper: a worker forked as soon as a build starts.

Converting an item needs Markdown's extensions, the Chinese segmenter's dictionary and
mkdocs.yml's Markdown settings, which take ~0.25 s to load: longer than the rest of a
one-edit rebuild. The helper loads them on the other core while the build loads the
platform; if the build then finds revisions that are not in the cache, the helper
converts them, else it is stopped unused. This module imports only the standard
library, so that `louyu build` can start the helper before loading anything else.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .model import Item


def jobs() -> int:
    """Cores to use: LOUYU_JOBS, else every core this process may run on."""
    wanted = os.environ.get("LOUYU_JOBS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


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
        # Not worth it on one core, nor in a process that has converted items before (serve);
        # and never forked from a process running other threads (a lock held by one of them,
        # the import lock say, would stay held in the helper for ever).
        import threading

        if jobs() < 2 or "rjieba" in sys.modules or threading.active_count() > 1:
            return None
        try:
            return cls(config_file)
        except OSError:
            return None

    def convert(self, fingerprint: str, items: list["Item"]) -> Callable[[], dict[str, Any] | None]:
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
            if isinstance(result[0], BaseException):  # a LouyuError from the conversion
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
    from .cache import Memo, cache_dir, peek_memo
    from .configmemo import memo_markdown_settings
    from .problems import LouyuError, Problems
    from .render.content import ContentRenderer
    from .render.theme import html_sections, markdown_config_from, prepare_markdown_config, segment_chinese

    content = None
    try:
        # The Markdown settings an earlier build validated for this very mkdocs.yml, else
        # MkDocs validates it here (0.1 s more: imports, plugins).
        known = memo_markdown_settings(config_file, Memo(peek_memo(cache_dir(config_file.parent), "config")))
        if known is not None:
            extensions, configs, fingerprint = markdown_config_from(*known)
        else:
            from .settings import load_config

            config, _, _ = load_config(config_file, Problems())
            if config is None:
                raise ValueError("mkdocs.yml has errors")
            extensions, configs, fingerprint = prepare_markdown_config(config)
        content = ContentRenderer(lambda: (extensions, configs), fingerprint)
        assert content.md is not None  # load the extensions now
        segment_chinese("楼宇党建")  # and the dictionary
        html_sections("<h2 id='a'>楼宇</h2><p>党建</p>")  # and Material's search parser
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
        conn.send(content.renderings(items))
    except LouyuError as exc:
        conn.send(exc)
