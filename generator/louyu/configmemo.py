"""mkdocs.yml as validated by an earlier build, reused while nothing it depends on changed.

Loading MkDocs and validating mkdocs.yml (which loads its plugins) takes longer than
a one-edit rebuild. What louyu needs from it (its own settings, the site's name and
address, the warnings, and the few facts the renderer uses: see `ConfigFacts`) is
kept in the build cache under a key made of mkdocs.yml's bytes, the variables its
`!ENV` tags read, the files of the platform's theme/ folder, whether content/
exists, and louyu's code with its libraries' versions. A configuration with errors
is never kept. The full MkDocs configuration is still validated, later, if the
build has to render something only MkDocs can (a page shell not in the cache, an
item's Markdown).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

from .cache import Memo
from .fastpath import code_fingerprint
from .model import ConfigFacts, Settings
from .plan import key_of
from .problems import LouyuError, Problem, Problems


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


def config_key(config_file: Path) -> str:
    root = config_file.parent
    return key_of("config-v1", code_fingerprint(), (root / "content").is_dir(), *mkdocs_yml_inputs(config_file), *folder_inputs(root / "theme"))


def facts_of(config: Any) -> ConfigFacts:
    from .render.theme import find_theme_file, markdown_settings_json, prepare_markdown_config

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


@dataclasses.dataclass
class LoadedConfig:
    config: Any  # the MkDocsConfig, or None when it came from the cache (or has errors)
    settings: Settings
    site_name: str
    site_url: str | None
    facts: ConfigFacts | None


def load(config_file: Path, problems: Problems, memo: Memo | None) -> LoadedConfig:
    key = config_key(config_file) if memo is not None else ""
    entry = memo.values.get(key) if memo is not None else None
    if isinstance(entry, dict):
        try:
            loaded = LoadedConfig(
                None, Settings(**entry["settings"]), str(entry["site_name"]), entry["site_url"],
                ConfigFacts(**{**entry["facts"], "theme_dirs": tuple(entry["facts"]["theme_dirs"])}),
            )
            replay = [Problem(path, line, message, level) for path, line, message, level in entry["problems"]]
        except (KeyError, TypeError, ValueError):
            pass  # not what this code writes: validated afresh
        else:
            assert memo is not None
            memo.used.add(key)
            for p in replay:
                problems.add(p)
            return loaded
    from .settings import load_config

    local = Problems()
    config, settings, doc = load_config(config_file, local)
    for p in local:
        problems.add(p)
    site_name = str(doc.data.get("site_name", "")) if doc and isinstance(doc.data, dict) else ""
    site_url = config.site_url if config is not None else None
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    facts = facts_of(config) if config is not None else None
    loaded = LoadedConfig(config, settings if isinstance(settings, Settings) else Settings(), site_name, site_url, facts)
    if memo is not None and facts is not None and not local.errors:
        memo.put(key, {
            "settings": dataclasses.asdict(loaded.settings),
            "site_name": site_name,
            "site_url": site_url,
            "facts": dataclasses.asdict(facts),
            "problems": [[p.path, p.line, p.message, p.level] for p in local],
        })
    return loaded


def validate_later(config_file: Path) -> Any:
    """The MkDocsConfig, for a build whose facts came from the cache."""
    from .settings import load_config

    config, _, _ = load_config(config_file, Problems())
    if config is None:
        raise LouyuError(config_file.name, 1, "mkdocs.yml 在构建过程中被修改且有错误，请修正后重新构建")
    return config


def memo_markdown_settings(config_file: Path, memo: Memo) -> tuple[list[Any], dict[str, Any]] | None:
    """The Markdown extensions and settings an earlier build validated for exactly this
    mkdocs.yml (and theme, environment, louyu), when they are plain data; else None."""
    entry = memo.values.get(config_key(config_file))
    try:
        text = entry["facts"]["markdown_settings"]  # type: ignore[index]
        names, options = json.loads(text)
    except (KeyError, TypeError, ValueError):
        return None
    return (names, options) if isinstance(names, list) and isinstance(options, dict) else None
