"""The one interface through which a step may consult what was worked out before.

Some steps must look a value up in the middle of their work (a page shell while pages are
made, a signature while decisions are ruled on, where in git an approved revision was
found). They are given a `Recall` and know nothing of where it keeps values: the build
hands them memos from its cache (memo/cache.py's `Memo` implements this), anything else
hands them `Scratch`, which remembers for one run only.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol


class Recall(Protocol):
    def get(self, key: str, make: Callable[[], Any]) -> Any:
        """The value kept under `key`, else `make()`'s, kept from now on."""
        ...

    def peek(self, key: str) -> Any:
        """The value kept under `key` (None if none), which the caller checks before use."""
        ...

    def put(self, key: str, value: Any) -> None:
        """Keep `value` under `key`."""
        ...


class Scratch:
    """A `Recall` for one run: what is worked out twice in it is worked out once."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.values:
            self.values[key] = make()
        return self.values[key]

    def peek(self, key: str) -> Any:
        return self.values.get(key)

    def put(self, key: str, value: Any) -> None:
        self.values[key] = value
