"""The conversion helper: a process forked as soon as `louyu build` knows it has work.

Converting an edited item needs the Chinese segmenter's dictionary (~75 ms to load),
Markdown with mkdocs.yml's extensions (~30 ms) and Material's search parser: longer
than the rest of a one-edit rebuild. The build forks the helper once its no-op check
has found changes, before importing the rest of louyu; the helper loads all that on
the other core while the build loads the platform. If the build then finds revisions
that are not in the cache, the helper converts them, else it is stopped unused.
(Forking it as the command starts was measured: a no-op build 8 ms slower, as the two
share the machine's cores, and one edit no faster.)

Talking to it: a pipe each way, one pickled message at a time — the mkdocs.yml to
read the Markdown settings from, then the items to convert; back comes the
renderings. The helper never writes anything (its output goes to /dev/null), and it
ends when the build closes its pipe, whatever the build is doing: a build that is
killed leaves no helper behind. This module imports only the standard library.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..platform.model import Item

PIPE_SIZE = 1 << 20  # asked for the build -> helper pipe (the default is 64 KiB)


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
    """The build's end of the helper."""

    def __init__(self) -> None:
        down_r, down_w = os.pipe()  # build -> helper
        up_r, up_w = os.pipe()  # helper -> build
        # What can be written at once without waiting for the helper to read (it reads only
        # once it has loaded everything): half the pipe, the rest is for the first message.
        self.capacity = _widen(down_w) // 2
        try:
            pid = os.fork()
        except OSError:
            for fd in (down_r, down_w, up_r, up_w):
                os.close(fd)
            raise
        if pid == 0:  # the helper
            try:
                os.close(down_w)
                os.close(up_r)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):  # whoever reads the build's output must not wait for the helper's
                    os.dup2(null, fd)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _helper_main(os.fdopen(down_r, "rb"), os.fdopen(up_w, "wb"))
            finally:
                os._exit(0)
        os.close(down_r)
        os.close(up_w)
        self.pid = pid
        self.orders: IO[bytes] | None = os.fdopen(down_w, "wb")
        self.answers = os.fdopen(up_r, "rb")

    @classmethod
    def fork(cls) -> "ConversionHelper | None":
        """A helper, if it can help: not on one core, not in a process that has converted
        items before (serve), and never forked from a process running other threads (a lock
        held by one of them, the import lock say, would stay held in the helper for ever)."""
        import threading

        if jobs() < 2 or _has_converted() or threading.active_count() > 1:
            return None
        try:
            return cls()
        except OSError:
            return None

    @classmethod
    def start(cls, config_file: Path) -> "ConversionHelper | None":
        helper = cls.fork()
        if helper is not None and not helper.configure(config_file):
            return None
        return helper

    def _send(self, message: Any) -> bool:
        if self.orders is None:
            return False
        try:
            data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
            if len(data) > self.capacity:
                raise ValueError("too large to hand over without waiting")
            self.orders.write(data)
            self.orders.flush()
            return True
        except (OSError, ValueError, pickle.PicklingError):
            self.stop()
            return False

    def configure(self, config_file: Path) -> bool:
        """The platform whose mkdocs.yml gives the Markdown settings."""
        return self._send(config_file)

    def convert(self, fingerprint: str, items: list["Item"]) -> Callable[[], dict[str, Any] | None]:
        """Send the work; the returned call waits for it (None: do it yourself)."""
        if not self._send((fingerprint, items)):
            return lambda: None
        result: list[Any] = []

        def wait() -> dict[str, Any] | None:
            if not result:
                try:
                    result.append(pickle.load(self.answers))
                except Exception:  # the helper died, or said something this code does not know
                    result.append(None)
                self.stop()
            if isinstance(result[0], BaseException):  # a LouyuError from the conversion
                raise result[0]
            return result[0] if isinstance(result[0], dict) else None

        return wait

    def stop(self) -> None:
        """End the helper now, whatever it is doing (it holds nothing the build needs)."""
        if self.orders is None:
            return
        for stream in (self.orders, self.answers):
            try:
                stream.close()
            except OSError:
                pass
        self.orders = None
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _has_converted() -> bool:
    content = sys.modules.get("louyu.render.content")
    return bool(getattr(content, "CONVERTED", False))


def _widen(fd: int) -> int:
    """The pipe's capacity, made PIPE_SIZE where the system allows it."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)  # type: ignore[attr-defined]
        return int(fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ))  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        return 1 << 16  # Linux's default


# A little of everything item bodies hold, converted once while waiting for work, so that
# what extensions load on first use (code highlighting, emoji, tables) is not paid then.
_SAMPLE = """# 标题

正文**加粗**与*强调*，[链接](https://example.org)，脚注[^1]。

## 小节

- 列表一
- [x] 已完成

| 表头 | 表头 |
|---|---|
| 单元 | 单元 |

> 引用

```python
print("你好")
```

!!! note "提示"
    内容 :smile:

[^1]: 脚注内容
"""


def _helper_main(orders: IO[bytes], answers: IO[bytes]) -> None:
    # First what any platform's conversions need; the build meanwhile finds out whether
    # there is anything to build at all.
    try:
        from ..memo.cache import Memo, cache_dir, peek_memo
        from ..memo.config import memo_markdown_settings
        from ..platform.problems import LouyuError, Problems
        from ..render.content import ContentRenderer, sanitize
        from ..platform.config import markdown_config_from, prepare_markdown_config
        ready = True
    except Exception:
        ready = False
    try:
        config_file = pickle.load(orders)
    except Exception:  # the build ended, or has nothing to build
        return
    content = None
    if ready:
        try:
            # The Markdown settings an earlier build validated for this very mkdocs.yml, else
            # MkDocs validates it here (0.1 s more: imports, plugins).
            known = memo_markdown_settings(config_file, Memo(peek_memo(cache_dir(config_file.parent), "config")))
            if known is not None:
                extensions, configs, fingerprint = markdown_config_from(*known)
            else:
                from ..platform.settings import load_config

                config, _, _ = load_config(config_file, Problems())
                if config is None:
                    raise ValueError("mkdocs.yml has errors")
                extensions, configs, fingerprint = prepare_markdown_config(config)
            content = ContentRenderer(lambda: (extensions, configs), fingerprint)
            sanitize(content.md.convert(_SAMPLE), {})  # the extensions, and what they load on first use
            content.md.reset()
        except Exception:  # the build itself reports what is wrong with mkdocs.yml
            content = None
    try:
        fingerprint, items = pickle.load(orders)
    except Exception:
        return
    if content is None or content.fingerprint() != fingerprint:
        answer: Any = None  # mkdocs.yml changed meanwhile, or is broken: the build converts
    else:
        try:
            answer = content.renderings(items)
        except LouyuError as exc:
            answer = exc
    try:
        pickle.dump(answer, answers, pickle.HIGHEST_PROTOCOL)
        answers.flush()
    except (OSError, pickle.PicklingError):
        pass
