"""`louyu serve`: a live preview for admins writing content.

The preview is built into a private temporary folder (never `site/`), with
pending and changed items shown and marked 待审核 / 已修改待审核, so nothing
from it can reach a published build. watchdog watches the platform's inputs;
each change rebuilds (item revisions come from the build cache, so only what
changed is converted again). Pages get a small script that asks the server
for the build number and reloads when it moves on; when a rebuild fails, the
errors are printed in the terminal and shown over the page, the last good
preview stays, and the server keeps running.

The preview folder (89 MB at 1+10×400 items) lives in the temporary folder and is removed
on every way out: Ctrl+C (SIGINT), SIGTERM and SIGHUP (a service manager, a closed
terminal), and a normal end; one of more than LARGE_PREVIEW files by a process of its own,
which goes on after serve has ended (2.7 GB at 1+30×4,000: a minute and a half). One left
by a `louyu serve` that could not clean up (SIGKILL, a crash) carries its process id in its
name and is removed by the next `louyu serve` of the same user once that process is gone.
"""

from __future__ import annotations

import functools
import gc
import http.server
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ..platform.model import FOLDERS
from ..platform.problems import LouyuError, PlatformErrors

WATCHED = FOLDERS
FOLDER_PREFIX = "louyu-serve-"
_OWN_FOLDER = re.compile(re.escape(FOLDER_PREFIX) + r"(\d+)-")
DEBOUNCE = 0.05  # seconds without a further change before rebuilding (an editor's save is a burst of events, a few ms long)
DEBOUNCE_MAX = 1.0  # rebuild after this long even if changes keep coming
DEFAULT_GC = gc.get_threshold()
LARGE_PREVIEW = 20_000  # files: a preview this large is removed in the background when serve ends

RELOAD_SCRIPT = """<script>
(function () {
  var seen = null;
  function box(id, lines, colour, title) {
    var el = document.getElementById(id);
    if (!lines.length) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("div");
      el.id = id;
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50%;overflow:auto;z-index:9999;color:#fff;font:14px/1.5 monospace;padding:12px 16px;white-space:pre-wrap;background:" + colour;
      document.body.appendChild(el);
    }
    el.textContent = title + "\\n" + lines.join("\\n");
  }
  function show(s) {
    box("louyu-errors", s.errors, "#b71c1c", "louyu 构建失败（预览停留在上一次成功的版本）：");
    box("louyu-findings", s.errors.length ? [] : (s.findings || []), "#8d4b00", "错敏词（按平台 terms/ 词表，发布前请改正）：");
  }
  function poll() {
    fetch("/__louyu/status", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.build !== seen) { location.reload(); return; }
      seen = s.build;
      show(s);
    }).catch(function () {}).finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""


class Preview:
    """The preview folder, its build number and the last errors; rebuilt on demand."""

    def __init__(self, config_file: Path, stations: list[str] | None, log: Callable[[str], None], members: bool = False) -> None:
        self.config_file = config_file
        self.stations = stations
        self.members = members  # the members' sites (党内): `members` items too
        self.log = log
        remove_abandoned_folders(log)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")) / "site"
        self.build_number = 0
        self.errors: list[str] = []
        self.findings: list[str] = []  # the lists' words in the last good build (errors stop it)
        self.lock = threading.Lock()
        self.warm: Any = None  # what the last build left that the next one reuses (memo/warm.py)

    def rebuild(self) -> None:
        from ..memo.warm import Warm
        from ..pipeline.build import build

        started = time.perf_counter()
        # As `louyu build` does: what is loaded (louyu, its libraries) is not scanned again and
        # again, and what a build makes lives until its end, so the collector waits longer
        # meanwhile; the build's garbage is collected once it is done (`tidy`), while the
        # server waits for the next change.
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        try:
            self.warm = self.warm or Warm(private=self.folder)
            result = build(self.config_file, self.folder, self.stations, preview=True, members=self.members, warm=self.warm)
        except PlatformErrors as exc:
            errors = [str(p) for p in exc.problems]
        except LouyuError as exc:
            errors = [str(exc.problem)]
        except Exception as exc:  # a bug in louyu: say so, keep serving
            errors = [f"louyu 内部错误：{type(exc).__name__}: {exc}（请报告给 louyu 维护者）"]
        else:
            errors = []
            with self.lock:
                self.findings = result.findings
            for line in [str(w) for w in result.warnings] + result.notices:
                self.log(line)
            self.log(f"已重新构建预览（{sum(result.pages.values())} 个条目页，{time.perf_counter() - started:.2f} 秒）")
        with self.lock:
            self.errors = errors
            self.build_number += 1
        for line in errors:
            self.log(line)
        if errors:
            self.log(f"构建失败：{len(errors)} 个错误；预览停留在上一次成功的版本。")
        tidy()

    def status(self) -> dict[str, Any]:
        with self.lock:
            return {"build": self.build_number, "errors": list(self.errors), "findings": list(self.findings)}

    def close(self) -> None:
        """The preview folder removed. A large one (1+30×4,000: 125,000 files, a minute and a
        half) by a process of its own that goes on after serve has ended, so that Ctrl+C
        gives the terminal back at once; should that process be stopped too, the folder
        still bears this process's id, and the next `louyu serve` removes it."""
        from ..pipeline.write import remove_in_background

        top = self.folder.parent
        files = self.warm.files_in(self.folder) if self.warm else 0
        if files >= LARGE_PREVIEW:
            self.log(f"预览文件夹（{files} 个文件）在后台删除：{top}")
            remove_in_background(top)
        else:
            shutil.rmtree(top, ignore_errors=True)


def tidy() -> None:
    """After a rebuild, the rebuild's garbage collected, with Python's usual thresholds."""
    gc.set_threshold(*DEFAULT_GC)
    gc.unfreeze()
    gc.collect()


def remove_abandoned_folders(log: Callable[[str], None] = lambda line: None) -> None:
    """Preview folders of this user's `louyu serve` processes that ended without cleaning up
    (each named: a large one takes a while)."""
    temp = Path(tempfile.gettempdir())
    try:
        names = os.listdir(temp)
    except OSError:
        return
    for name in names:
        found = _OWN_FOLDER.match(name)
        if found is None or _alive(int(found.group(1))):
            continue
        folder = temp / name
        try:
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid():
                log(f"删除一个已结束的 louyu serve 留下的预览文件夹：{folder}")
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


class _Stop(BaseException):
    """SIGTERM or SIGHUP: end as Ctrl+C does, cleaning up. Like KeyboardInterrupt, not an
    Exception: a signal that came during a rebuild was caught there as a failed build (and,
    the second signal being ignored, serve never ended)."""


def _stop_on_signals() -> tuple[Callable[[], None], list[int]]:
    """SIGTERM and SIGHUP end the server like Ctrl+C (only the main thread can set handlers);
    returns the call that puts the previous handlers back, and the signals received.

    The handler raises `_Stop` where the main thread stands, to cut a long build short; but
    Python drops an exception raised inside a finalizer the collector runs (`tidy`, after
    each rebuild, collects a rebuild's garbage), so the signal is also noted, and serve's
    loop ends on the note: a stop lost that way left serve running, deaf to every later
    SIGTERM (found at 1+30×4,000, where `tidy` takes 0.2 s)."""
    stopping: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        return (lambda: None), stopping
    owner = os.getpid()

    def stop(signum: int, frame: object) -> None:
        if os.getpid() != owner:  # a forked build worker: die as it would have
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if not stopping:  # (a second signal while cleaning up is ignored)
            stopping.append(signum)
            raise _Stop(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore, stopping


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, *args: object) -> None:  # quiet: the terminal is for build messages
        pass

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith("/__louyu/status"):
            self._send(json.dumps(self.preview.status(), ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir() and (path / "index.html").is_file() and self.path.endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_text("utf-8").replace("</body>", RELOAD_SCRIPT + "</body>", 1)
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            return
        if not self.preview.folder.exists():
            self.send_error(503, "预览尚未构建成功")
            return
        super().do_GET()


def _watch(root: Path, config_file: Path, changed: threading.Event) -> Any:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    class OnChange(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            path = str(event.src_path)
            if "/.louyu-cache" in path or "/.git/" in path or path.endswith(("/.git", "~")):
                return
            folder = Path(path)
            if event.is_directory and folder.parent == root and folder.name in WATCHED and folder.name not in watched:
                watch(folder.name)  # a platform folder made while serving (terms/, say): its files too
            changed.set()

    observer = Observer()
    handler = OnChange()
    watched: set[str] = set()

    def watch(name: str) -> None:
        watched.add(name)
        observer.schedule(handler, str(root / name), recursive=True)

    for name in WATCHED:
        if (root / name).is_dir():
            watch(name)
    observer.schedule(handler, str(root), recursive=False)  # mkdocs.yml, and new top folders
    observer.start()
    return observer


def parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(address)
    return host, int(port)


def serve(
    config_file: Path, address: str, stations: list[str] | None, log: Callable[[str], None],
    ready: threading.Event | None = None, stop: threading.Event | None = None, members: bool = False,
) -> None:
    host, port = parse_address(address)
    config_file = config_file.absolute()
    restore, stopping = _stop_on_signals()
    preview = Preview(config_file, stations, log, members)
    server = observer = None
    try:
        preview.rebuild()
        handler = functools.partial(type("Handler", (_Handler,), {"preview": preview}), directory=str(preview.folder))
        server = http.server.ThreadingHTTPServer((host, port), handler)
        changed = threading.Event()
        observer = _watch(config_file.parent, config_file, changed)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        first = f"{stations[0]}/" if stations else ""
        log(f"预览地址：http://{host}:{server.server_port}/{first}（Ctrl+C 结束）")
        log("预览中显示待审核的条目（标记为“待审核”）；发布请用 louyu build。")
        if members:
            log("这是党内网站的预览（含 scope: members 的条目）：请勿对外开放此地址。")
        if ready is not None:
            ready.set()
        stop = stop or threading.Event()
        while not stop.is_set() and not stopping:
            if changed.wait(0.2) and not stopping:
                settle(changed)
                preview.rebuild()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        if server is not None:
            server.shutdown()
            server.server_close()
        preview.close()
        restore()


def settle(changed: threading.Event) -> None:
    """Wait until the files have been quiet for DEBOUNCE seconds (an editor finishing its
    save), or DEBOUNCE_MAX at most, then clear `changed`."""
    deadline = time.monotonic() + DEBOUNCE_MAX
    changed.clear()
    while time.monotonic() < deadline and changed.wait(DEBOUNCE):
        changed.clear()
