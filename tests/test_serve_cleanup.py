"""`louyu serve` removes its preview folder from the temporary folder on every way out:
SIGTERM, SIGHUP and Ctrl+C (SIGINT) sent to a real `louyu serve` process; and a folder
left by one killed outright is removed by the next one."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from conftest import PlatformHandle, time_left


def start_serve(platform: PlatformHandle, temp: Path) -> tuple[subprocess.Popen[str], "queue.Queue[str]"]:
    env = {**os.environ, "TMPDIR": str(temp), "LOUYU_CACHE_DIR": str(temp.parent / "cache")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "louyu", "serve", "-f", str(platform.config), "-a", "127.0.0.1:0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: "queue.Queue[str]" = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout

    def read() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return proc, lines


def wait_until_serving(proc: subprocess.Popen[str], lines: "queue.Queue[str]") -> None:
    seen = []
    while True:
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            proc.kill()
            raise AssertionError("louyu serve did not start:\n" + "".join(seen)) from None
        seen.append(line)
        if "预览地址" in line:
            return


@contextlib.contextmanager
def serving(platform: PlatformHandle, temp: Path) -> Iterator[subprocess.Popen[str]]:
    """A `louyu serve` started and serving; killed on the way out if still running."""
    proc, lines = start_serve(platform, temp)
    try:
        wait_until_serving(proc, lines)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def preview_folders(temp: Path) -> list[Path]:
    return sorted(temp.glob("louyu-serve-*"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_ends_serve_and_removes_its_preview_folder(platform: PlatformHandle, tmp_path: Path, sig: int) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    with serving(platform, temp) as proc:
        folders = preview_folders(temp)
        assert len(folders) == 1 and (folders[0] / "site" / "index.html").is_file()  # the preview is there
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 0
    assert preview_folders(temp) == []


def test_a_folder_left_by_a_killed_serve_is_removed_by_the_next(platform: PlatformHandle, tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    with serving(platform, temp) as proc:
        proc.kill()  # SIGKILL: no way to clean up
        proc.wait()
    (left,) = preview_folders(temp)
    assert str(proc.pid) in left.name
    someone_running = temp / f"louyu-serve-{os.getpid()}-x"  # a serve still running: left alone
    someone_running.mkdir()
    unrelated = temp / "louyu-serve-notes"
    unrelated.mkdir()
    with serving(platform, temp) as proc:
        remaining = preview_folders(temp)
        assert left not in remaining
        assert someone_running in remaining and unrelated in remaining
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    assert preview_folders(temp) == sorted([someone_running, unrelated])


def test_a_signal_during_a_rebuild_ends_serve_not_the_rebuild_alone(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stop a signal raises passes through a rebuild (which reports a failed build as an
    error and keeps serving): caught there, the signal was lost and serve never ended."""
    from louyu.commands import serve as serve_module
    from louyu.pipeline import build as build_module

    def interrupted(*args: object, **kwargs: object) -> None:
        raise serve_module._Stop(signal.SIGTERM)

    monkeypatch.setattr(build_module, "build", interrupted)
    preview = serve_module.Preview(platform.root / "mkdocs.yml", None, lambda line: None)
    try:
        with pytest.raises(serve_module._Stop):
            preview.rebuild()
        assert preview.errors == [] and preview.build_number == 0  # not taken for a failed build
    finally:
        preview.close()
        serve_module.tidy()  # (the collector's settings, as rebuild leaves them when it ends normally)


def test_a_signal_whose_stop_python_drops_still_ends_serve(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stop a signal raises is dropped by Python when it comes inside a finalizer the
    collector runs, as `tidy` collects a rebuild's garbage (1+30×4,000: 0.2 s after every
    rebuild). serve went on serving, deaf to every later SIGTERM; it must end all the same."""
    import tempfile

    from louyu.commands import serve as serve_module

    def collected_with_a_signal() -> None:  # the signal comes while a finalizer runs: Python drops what it raises
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            threading.Event().wait(1)  # (the handler runs here, in the main thread)
        except BaseException:
            pass

    monkeypatch.setattr(serve_module, "tidy", collected_with_a_signal)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stop, gave_up = threading.Event(), threading.Event()

    def watchdog() -> None:  # the old serve never ended: give up after a while, and say so
        if not stop.wait(30):
            gave_up.set()
            stop.set()

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        serve_module.serve(platform.root / "mkdocs.yml", "127.0.0.1:0", None, lambda line: None, stop=stop)
    finally:
        stop.set()
    assert not gave_up.is_set(), "serve went on after SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # (its handler put back)
    assert preview_folders(tmp_path) == []


def test_a_large_preview_is_removed_after_serve_has_ended(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 1+30×4,000 the preview holds 125,000 files and removing them took a minute and a
    half after Ctrl+C: a large preview is removed by a process of its own, named in the log,
    and serve ends at once. A small one goes before serve ends, as the tests above check."""
    import tempfile

    from louyu.commands import serve as serve_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    said: list[str] = []
    preview = serve_module.Preview(platform.root / "mkdocs.yml", None, said.append)
    try:
        preview.rebuild()
        files = sum(len(names) for _, _, names in os.walk(preview.folder))
        assert files > 10 and preview.warm.files_in(preview.folder) == files  # (every file of the preview, as serve counts them)
    finally:
        monkeypatch.setattr(serve_module, "LARGE_PREVIEW", 10)
        preview.close()
    (line,) = [line for line in said if "后台删除" in line]
    assert str(preview.folder.parent) in line
    left = time_left(60)
    while preview_folders(tmp_path) and left():
        threading.Event().wait(0.1)
    assert preview_folders(tmp_path) == []


def _worker_signals(_: int) -> tuple[object, object, tuple[int, int, int]]:
    import gc

    return signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP), gc.get_threshold()


def test_build_workers_die_on_the_signal_the_pool_ends_them_with() -> None:
    # A pool ends its workers with SIGTERM. Forked from `louyu serve`, they inherited serve's
    # Python handler, which acts only between two steps of Python: one that came as a worker
    # began to wait for its next order was never acted on, and serve's first build waited for
    # that worker for ever. Workers start with the default (dying at once), whatever the
    # process that forked them handles.
    from louyu.commands.serve import _stop_on_signals
    from louyu.pipeline.parallel import DEFAULT_GC, _pool

    restore, _ = _stop_on_signals()
    try:
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None)
        with _pool(2) as pool:
            found = pool.map(_worker_signals, range(4))
    finally:
        restore()
    assert found == [(signal.SIG_DFL, signal.SIG_DFL, DEFAULT_GC)] * 4
