"""What this installation of louyu is: its version, its libraries' versions and a fingerprint
of its own files.

A top-level module, outside the layers, because every layer's results depend on it: the
build cache and the output record key what they keep by it (a new louyu or a new Material
makes every page again), and the no-op check compares it before anything else is imported.
Standard library only, for that check.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

from . import __version__

_CODE: str | None = None


def code_fingerprint() -> str:
    """louyu's own files and the theme's version: a changed renderer invalidates every output."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256(f"louyu {__version__}\n".encode())
        for name, release in sorted(installed_versions(LIBRARIES).items()):
            h.update(f"{name}={release}\n".encode())
        package = Path(__file__).parent  # the louyu package folder
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                s = os.stat(os.path.join(folder, name))
                h.update(f"{os.path.relpath(os.path.join(folder, name), package)} {s.st_size} {s.st_mtime_ns}\n".encode())
        _CODE = h.hexdigest()[:16]
    return _CODE


LIBRARIES = (
    "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "nh3",
    "jinja2", "markupsafe", "icalendar", "segno", "pyyaml", "imagesize", "ahocorasick-rs",
)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions(names: tuple[str, ...]) -> dict[str, str]:
    """{name: version} of the installed distributions among `names`, read from the
    `name-version.dist-info` folders on sys.path, the first found winning as for import
    (importlib.metadata finds the same, after importing a dozen modules: 10 ms per build)."""
    wanted = {_normal(n): n for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in listing:
            if not folder.endswith(".dist-info"):
                continue
            dist, _, release = folder[: -len(".dist-info")].partition("-")
            name = wanted.get(_normal(dist))
            if name is not None and name not in found:
                found[name] = release
    return found
