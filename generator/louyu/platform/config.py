"""What louyu uses of mkdocs.yml once it is validated: its settings, the site's name and
address, and the few facts the renderer needs (`ConfigFacts`), Markdown's settings among them.

MkDocs and its plugins are loaded only to validate mkdocs.yml (settings.py); a later build
with the same mkdocs.yml may be given these facts as an earlier build found them (see
memo/config.py), and then MkDocs is loaded only if a page needs it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .model import ConfigFacts, Settings
from .problems import LouyuError, Problems

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig


@dataclasses.dataclass
class LoadedConfig:
    """What a build needs of mkdocs.yml, read through MkDocs or taken from the build cache."""

    config: Any  # the MkDocsConfig, or None when it came from the cache (or has errors)
    settings: Settings
    site_name: str
    site_url: str | None
    facts: ConfigFacts | None


def load(config_file: Path, problems: Problems) -> LoadedConfig:
    """mkdocs.yml read and validated now; every problem goes to `problems`."""
    from .settings import load_config

    config, settings, doc = load_config(config_file, problems)
    site_name = str(doc.data.get("site_name", "")) if doc and isinstance(doc.data, dict) else ""
    site_url = config.site_url if config is not None else None
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    facts = facts_of(config) if config is not None else None
    return LoadedConfig(config, settings if isinstance(settings, Settings) else Settings(), site_name, site_url, facts)


def validate_later(config_file: Path) -> Any:
    """The MkDocsConfig, for a build whose facts came from the cache."""
    from .settings import load_config

    config, _, _ = load_config(config_file, Problems())
    if config is None:
        raise LouyuError(config_file.name, 1, "mkdocs.yml 在构建过程中被修改且有错误，请修正后重新构建")
    return config


def facts_of(config: Any) -> ConfigFacts:
    palette = config.theme.get("palette") or {}
    if isinstance(palette, list):
        palette = palette[0] if palette else {}
    logo = find_theme_file(config, config.theme.get("logo"))
    return ConfigFacts(
        site_description=config.site_description or "",
        logo=str(logo) if logo else None,
        primary=str(palette.get("primary", "red")).lower() if isinstance(palette, dict) else "red",
        theme_dirs=tuple(str(d) for d in config.theme.dirs),
        markdown=prepare_markdown_config(config)[2],
        markdown_settings=markdown_settings_json(config),
    )


def find_theme_file(config: MkDocsConfig, rel: str | None) -> Path | None:
    """A file of the theme (the platform's theme/ first, then Material), e.g. the logo."""
    if not rel:
        return None
    for folder in config.theme.dirs:
        candidate = Path(folder) / rel
        if candidate.is_file():
            return candidate
    return None


def prepare_markdown_config(config: MkDocsConfig) -> tuple[list[Any], dict[str, Any], str]:
    """Markdown extensions from mkdocs.yml (anchors keep Chinese), and their fingerprint."""
    return markdown_config_from(list(config.markdown_extensions), dict(config.mdx_configs))


def markdown_settings_json(config: MkDocsConfig) -> str | None:
    """mkdocs.yml's validated Markdown extensions and settings as JSON, if they are plain
    data that JSON gives back unchanged (else None: they need MkDocs every time)."""
    import json

    value = [list(config.markdown_extensions), dict(config.mdx_configs)]
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == value else None


def markdown_config_from(names: list[Any], options: dict[str, Any]) -> tuple[list[Any], dict[str, Any], str]:
    """The extensions and settings Python-Markdown is given (a slugify that keeps Chinese
    added to toc), and a fingerprint of what mkdocs.yml says plus the libraries' versions."""
    import hashlib
    import json

    from pymdownx.slugs import slugify

    from ..version import installed_versions

    libraries = sorted(installed_versions(("markdown", "pymdown-extensions", "nh3", "mkdocs-material")).items())
    fingerprint = hashlib.sha256(json.dumps([names, options, libraries], sort_keys=True, default=repr).encode()).hexdigest()[:16]

    extensions = list(names)
    configs = copy.deepcopy(options)
    if "toc" not in extensions:
        extensions.append("toc")
    toc = dict(configs.get("toc", {}))
    toc.setdefault("slugify", slugify(case="lower"))
    configs["toc"] = toc
    if "pymdownx.emoji" in extensions:
        # Emoji are images from a CDN (twemoji, emojione) and Material's icons inline SVG,
        # which the sanitiser removes: a site must work offline, so emoji are written as
        # the characters they are (`:smile:` → 😄; an icon keeps its short name).
        from pymdownx.emoji import to_alt

        configs["pymdownx.emoji"] = {**configs.get("pymdownx.emoji", {}), "emoji_generator": to_alt}
    return extensions, configs, fingerprint


@contextlib.contextmanager
def without_jieba() -> Iterator[None]:
    """Importing Material's search plugin imports jieba (and pkg_resources with it: 0.3 s)
    only to segment Chinese, which louyu's search does without: refused meanwhile."""
    blocked = "jieba" not in sys.modules
    if blocked:
        sys.modules["jieba"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if blocked and sys.modules.get("jieba", 0) is None:
            del sys.modules["jieba"]



# -- what mkdocs.yml's validation depends on -------------------------------------------


def mkdocs_yml_inputs(config_file: Path) -> list[object]:
    """mkdocs.yml's bytes and the values of the variables its `!ENV` tags read."""
    raw = config_file.read_bytes()
    parts: list[object] = [raw]
    for line in raw.decode("utf-8", "replace").splitlines():
        if "!ENV" in line:
            for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line.split("!ENV", 1)[1]):
                parts.append((name, os.environ.get(name)))
    return parts


def folder_inputs(folder: Path | str) -> list[object]:
    """Every file below `folder`: path, size, modification time, inode."""
    parts: list[object] = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            st = os.stat(os.path.join(top, name))
            parts.append((os.path.relpath(os.path.join(top, name), folder), st.st_size, st.st_mtime_ns, st.st_ino))
    return parts


