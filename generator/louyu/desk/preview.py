"""The editor's preview: the item's body converted and sanitised by the very code that makes
the sites (render/content.py: the platform's Markdown extensions, the same allow-list), shown
in a frame with Material's and louyu's stylesheets and the platform's primary colour."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import material

from ..platform.config import markdown_config_from, prepare_markdown_config
from ..platform.model import Item, Platform
from ..render.content import ContentRenderer

MATERIAL_CSS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
LOUYU_CSS = Path(__file__).parent.parent / "templates" / "louyu.css"


_LOCAL = re.compile(r'\b(src|href|poster)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"]*)"')


def stylesheets() -> dict[str, Path]:
    """The preview's stylesheets by the name the desk serves them under."""
    found = {"louyu.css": LOUYU_CSS}
    for css in sorted(MATERIAL_CSS.glob("*.min.css")):
        found[css.name.split(".")[0] + ".css"] = css  # main.css, palette.css
    return found


def renderer_for(platform: Platform) -> ContentRenderer:
    facts = platform.facts
    assert facts is not None

    def settings() -> tuple[list[Any], dict[str, Any]]:
        if facts.markdown_settings is not None:
            names, options = json.loads(facts.markdown_settings)
            extensions, configs, _ = markdown_config_from(names, options)
        else:
            extensions, configs, _ = prepare_markdown_config(platform.mkdocs())
        return extensions, configs

    return ContentRenderer(settings, facts.markdown)


def preview_document(renderer: ContentRenderer, platform: Platform, item: Item, files_url: str) -> str:
    """A whole page for the preview frame (its srcdoc): the item as its page shows it."""
    # The item's own files, linked relative to its page on the sites, come from the desk's
    # /file/ route here (absolute: a srcdoc frame has no address of its own to resolve against).
    body = _LOCAL.sub(lambda m: f'{m.group(1)}="{html.escape(files_url)}{m.group(2)}"', renderer.render(item).body)
    primary = platform.facts.primary if platform.facts else "indigo"
    links = "".join(f'<link rel="stylesheet" href="/preview-css/{name}">' for name in ("main.css", "palette.css", "louyu.css"))
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{links}</head>'
        f'<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="{html.escape(primary)}">'
        f'<div class="md-container"><main class="md-main"><div class="md-content"><article class="md-content__inner md-typeset">'
        f"<h1>{html.escape(item.title)}</h1>{body}</article></div></main></div></body></html>"
    )
