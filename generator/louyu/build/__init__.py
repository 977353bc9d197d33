"""build/: the pipeline (pipeline.py), its workers (parallel.py, helper.py), atomic writing
(write.py).

`from louyu.build import build` gives the pipeline's entry point. It is imported on first
use, not with this package: `louyu build` forks the conversion helper (helper.py, standard
library only) before the pipeline's libraries are loaded, so that both load side by side.
"""

from __future__ import annotations

from typing import Any

_PIPELINE = {"build", "BuildResult", "load_checked", "decide_publication", "valid_until"}


def __getattr__(name: str) -> Any:
    if name in _PIPELINE:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'louyu.build' has no attribute {name!r}")
