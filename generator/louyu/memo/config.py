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
from pathlib import Path
from typing import Any, Callable

from ..platform.config import LoadedConfig, folder_inputs, mkdocs_yml_inputs
from ..platform.digest import key_of
from ..platform.model import ConfigFacts, Settings
from ..platform.problems import Problem, Problems
from ..version import code_fingerprint
from .cache import Memo


def config_key(config_file: Path) -> str:
    root = config_file.parent
    return key_of("config-v1", code_fingerprint(), (root / "content").is_dir(), *mkdocs_yml_inputs(config_file), *folder_inputs(root / "theme"))


def config_with_memo(
    memo: Memo, config_file: Path, problems: Problems, load: Callable[[Path, Problems], LoadedConfig]
) -> LoadedConfig:
    """`load(config_file, problems)` unless the memo holds what it gave for these inputs."""
    key = config_key(config_file)
    entry = memo.values.get(key)
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
            memo.used.add(key)
            for p in replay:
                problems.add(p)
            return loaded
    local = Problems()
    loaded = load(config_file, local)
    for p in local:
        problems.add(p)
    if loaded.facts is not None and not local.errors:
        memo.put(key, {
            "settings": dataclasses.asdict(loaded.settings),
            "site_name": loaded.site_name,
            "site_url": loaded.site_url,
            "facts": dataclasses.asdict(loaded.facts),
            "problems": [[p.path, p.line, p.message, p.level] for p in local],
        })
    return loaded


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
