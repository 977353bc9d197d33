"""What a site's files are keyed by besides the items: mkdocs.yml and the theme folders;
and which items every substation shows alike (their search files are made once)."""

from __future__ import annotations

from pathlib import Path

from ..platform.config import folder_inputs, mkdocs_yml_inputs
from ..platform.digest import key_of
from ..platform.model import Platform
from ..publish import Publication


def config_fingerprint(platform: Platform, theme_dirs: tuple[str, ...]) -> str:
    """mkdocs.yml's bytes, the variables its !ENV tags read, and the files of every theme
    folder inside the platform (templates overridden, logo, extra CSS)."""
    parts = mkdocs_yml_inputs(platform.config_file)
    root = platform.root.resolve()
    for folder in theme_dirs:
        if Path(folder).resolve().is_relative_to(root):  # Material's own: its version is in the code fingerprint
            parts += folder_inputs(folder)
    return key_of(*parts)


def shown_on_every_substation(platform: Platform, publication: Publication) -> frozenset[str]:
    """The paths of the central broadcasts every substation shows: their search files are
    made once and are the same on every substation."""
    central = platform.central.id
    others = [sid for sid in platform.stations if sid != central]
    return frozenset(
        i.path for i in publication.published
        if i.station == central and all(i.addressed_to(sid) for sid in others)
    )
