"""The platform's git repository, as far as every layer needs it: the commit checked out.

(Standard library only: the no-op check asks for HEAD before anything else is imported.)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

_HEADS: dict[str, str] = {}


def ask_git_head(root: Path) -> str:
    # Approved revisions are read from history: a new commit may change what is online.
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    _HEADS[str(root)] = head
    return head


def git_head(root: Path) -> str:
    """The commit checked out in the platform's repository ("" if none), as this process
    last asked git for it: every build does, for its inputs' fingerprint, before it reads
    anything (also in `louyu serve`, where builds follow commits)."""
    found = _HEADS.get(str(root))
    return found if found is not None else ask_git_head(root)
