"""The only place that touches MkDocs and Material internals: page shells and theme files.

Rendering Material's `main.html` for every page of every station is what makes
a naive 1+N build slow. Every page of a station at the same folder depth, in
the same navigation section, differs only in its title, description,
canonical URL and content. So each (station, depth, section) shell is rendered
once through MkDocs' own template context with marker strings in those places,
and every page is the shell with the markers replaced.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from markupsafe import Markup

from ..platform.config import without_jieba
from .members import mark_members
from ..platform.recall import Recall, Scratch

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

# MkDocs itself is imported where a shell or the theme's file list is made: a rebuild
# that finds them all in the build cache never loads it.

_MARKERS = ("TITLE", "DESCRIPTION", "CANONICAL", "CONTENT", "IMAGE")
_MARK = "louyu0mark0{}0"
_SPLIT = re.compile("(" + "|".join(_MARK.format(m) for m in _MARKERS) + ")")
_NAME = {_MARK.format(m): m for m in _MARKERS}


@dataclass(frozen=True)
class NavEntry:
    """One tab of a station site's navigation."""

    key: str  # "home", a section name, "about", "stations", ...
    title: str
    url: str  # relative to the site root, e.g. "news/"


class _Content(str):
    """The content marker; claims to hold an <h1> because every louyu page brings its own."""

    def __contains__(self, other: object) -> bool:
        return other == "\u003ch1" or super().__contains__(other)  # type: ignore[operator]


# Material's search dialog has no accessible name (axe: aria-dialog-name, serious).
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
_SEARCH_DIALOG_NAMED = '<div class="md-search" data-md-component="search" role="dialog" aria-label="搜索">'


# Material's search box asks a worker for results; louyu's (templates/search.js) answers from
# the sharded index instead of downloading the site's whole index (render/search.py).
_MATERIAL_WORKER = re.compile(r'("search": "(?:\.\./)*)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js"')


class Shell:
    """A rendered page with holes for title, description, canonical URL and content."""

    def __init__(self, parts: list[str], holes: list[str]) -> None:
        self.parts = parts
        self.holes = holes

    @classmethod
    def of(cls, rendered: str) -> "Shell":
        rendered = rendered.replace(_SEARCH_DIALOG, _SEARCH_DIALOG_NAMED, 1)
        rendered = _MATERIAL_WORKER.sub(r'\1assets/louyu/search.js"', rendered, count=1)
        pieces = _SPLIT.split(rendered)
        parts = [pieces[0]]
        holes = []
        for marker, literal in zip(pieces[1::2], pieces[2::2]):
            holes.append(_NAME[marker])
            parts.append(literal)
        return cls(parts, holes)

    def to_json(self) -> dict[str, list[str]]:
        return {"parts": self.parts, "holes": self.holes}

    def fill(self, values: dict[str, str]) -> str:
        out = [self.parts[0]]
        for hole, literal in zip(self.holes, self.parts[1:]):
            out.append(values[hole])
            out.append(literal)
        return "".join(out)


class StationTheme:
    """Material pages for one station: its navigation, titles and site URL.

    Shells come from `shells` (a memo kept in the build cache, keyed by `key`, which
    covers the configuration, the station and louyu's code); MkDocs is only asked
    for the ones it does not hold."""

    def __init__(
        self, base: MkDocsConfig | Callable[[], MkDocsConfig], env: Any, site_name: str, site_url: str | None,
        nav: list[NavEntry], extra_css: list[str], key: str = "", shells: Recall | None = None,
        members: bool = False, chrome: Any = None, stand_ins: dict[str, str] | None = None,
    ) -> None:
        """`members`: the members' sites, every page marked 党内资料 (render/members.py);
        `chrome`: the public parts of every page (render/public.py PublicChrome), if any;
        `stand_ins`: marker -> this station's own text, where `site_name`, `site_url` and
        `chrome` hold markers: the shells are rendered with the markers, so that stations
        alike share them (the same `key`), and each station's text is put in their place."""
        self._base = base
        self.members = members
        self._env = env
        self.site_name = site_name
        self.stand_ins = stand_ins or {}
        self._shell_url = site_url  # as the shells are rendered
        self.site_url = self._own(site_url) if site_url else site_url
        self.entries = nav
        self.extra_css = extra_css
        self.nav_urls = {e.url for e in nav}
        self.key = key
        self.memo: Recall = shells if shells is not None else Scratch()
        self.shells: dict[tuple[int, str, bool], Shell] = {}
        self.description = ""
        self.chrome = chrome
        self._ready = False

    def _prepare(self) -> None:
        """The MkDocs side (configuration, pages, navigation): only when a shell is rendered."""
        if self._ready:
            return
        from mkdocs.structure.nav import Navigation
        from mkdocs.structure.pages import Page

        base = self._base() if callable(self._base) else self._base
        env = self._env() if callable(self._env) else self._env
        config = copy.copy(base)
        # Material prints site_name unescaped; station names come from staff-edited files.
        # Markup keeps the few `| e` uses in Material's templates from escaping it twice.
        config["site_name"] = Markup.escape(self.site_name)
        config["site_url"] = self._shell_url
        config["extra_css"] = list(base.extra_css) + self.extra_css
        self.config = config
        self.template = env.get_template("main.html")
        pages = [Page(e.title, _file(config, e.url), config) for e in self.entries]
        self.nav_pages = {e.key: p for e, p in zip(self.entries, pages)}
        self.nav = Navigation(pages, pages)
        self._ready = True

    def page(self, url: str, active: str, title: str, content: str, description: str = "", image: str = "") -> str:
        """The complete HTML of the page at `url` (relative to the site root)."""
        # A navigation entry's own page gets its own shell, so its link is marked current.
        key = (url.count("/"), active, url in self.nav_urls)
        shell = self.shells.get(key)
        if shell is None:
            data = self.memo.get(f"{self.key}:{key[0]}:{active}:{key[2]}", lambda: self._render_shell(url, active).to_json())
            shell = self.shells[key] = Shell([self._own(part) for part in data["parts"]], list(data["holes"]))
        return shell.fill(
            {
                "TITLE": html.escape(title, quote=True),
                "DESCRIPTION": html.escape(description or self.default_description(), quote=True),
                "CANONICAL": html.escape((self.site_url or "") + url, quote=True),
                "CONTENT": content,
                "IMAGE": image,  # a whole tag (render/public.py og_image), or nothing
            }
        )

    def _own(self, text: str) -> str:
        for marker, value in self.stand_ins.items():
            text = text.replace(marker, value)
        return text

    def default_description(self) -> str:
        return self.description

    def _render_shell(self, url: str, active: str) -> Shell:
        from mkdocs.commands.build import get_context
        from mkdocs.structure.pages import Page

        self._prepare()
        target = self.nav_pages.get(active)
        if target is not None and target.url == url:
            page = target  # the entry itself: Material marks its link md-nav__link--active
        else:
            page = Page(None, _file(self.config, url), self.config)
        saved = (page.title, page.content, page.meta, page.canonical_url)
        if page is not target:
            page.title = _MARK.format("TITLE")
        page.content = _Content(_MARK.format("CONTENT"))
        page.meta = {"description": _MARK.format("DESCRIPTION"), "hide": ["toc"]}
        page.canonical_url = _MARK.format("CANONICAL") if self._shell_url else None
        if target is not None:
            target.active = True
        copyright = self.config["copyright"]
        if self.chrome is not None:  # the footer a public site must show, then the platform's own line
            self.config["copyright"] = Markup(self.chrome.footer(url) + (copyright or ""))
        try:
            context = get_context(self.nav, [], self.config, page)
            rendered = self.template.render(context)
            if self.chrome is not None:
                rendered = self.chrome.decorate(rendered, {m: _MARK.format(m) for m in _MARKERS})
            return Shell.of(mark_members(rendered) if self.members else rendered)
        finally:
            self.config["copyright"] = copyright
            if target is not None:
                target.active = False
            page.title, page.content, page.meta, page.canonical_url = saved


def _file(config: MkDocsConfig, url: str) -> Any:
    from mkdocs.structure.files import File

    # A virtual page: only its URL matters, nothing is read from disk.
    return File(f"{url}index.md", src_dir=None, dest_dir=config.site_dir, use_directory_urls=True)


def load_env(config: MkDocsConfig) -> Any:
    """The theme's Jinja environment (Material + the platform's theme/ overrides)."""
    return config.theme.get_env()


def theme_files(config: MkDocsConfig, env: Any) -> list[tuple[str, Path]]:
    """(destination path, source file) of every static file of the theme, source maps left out."""
    from mkdocs.structure.files import Files

    files = Files([])
    files.add_files_from_theme(env, config)
    return sorted(
        (f.dest_uri, Path(f.abs_src_path))
        for f in files
        if f.abs_src_path and not f.dest_uri.endswith(".map")
    )


def search_settings(config: MkDocsConfig) -> dict[str, Any]:
    """lang, separator, pipeline and fields of Material's search, resolved by Material itself."""
    plugin = config.plugins.get("material/search")
    if plugin is None:
        return {}
    # jieba's dictionaries are Material's own segmentation, which louyu's search does without.
    plugin.config.jieba_dict = plugin.config.jieba_dict_user = None
    plugin.on_config(config)  # fills the language defaults and field boosts
    return {k: plugin.config[k] for k in ("lang", "separator", "pipeline", "fields")}


_PARSER: Any = None
_PARSER_SAMPLE = (
    '<p>lead <code>c</code></p><h1 id="t">T</h1><h2 id="s">S<a class="headerlink" href="#s">¶</a></h2>'
    '<ul><li>a</li></ul><pre><code>x  y</code></pre><br><img src="i.png"><script>s()</script><style>p{}</style>'
    '<div data-search-exclude><p>hidden</p></div><div class="linenodiv">1</div><h3 id="d">D</h3>'
    "<table><tr><td>1</td></tr></table><p> </p><sub>2</sub><sup>3</sup></p>"
)


def material_search_parser() -> Any:
    """The HTML parser class of Material's search plugin, which splits a page into the
    sections of the search index.

    Importing the plugin's module imports MkDocs' configuration machinery too (60 ms,
    more than converting an edited item), for one self-contained class. So the class is
    taken from the installed module's own source: its `Element`, `Section` and `Parser`
    classes and its `void` set, compiled on their own (2 ms). If that source ever stops
    holding them, the module is imported as usual. tests/test_segment.py checks the two
    agree on the seed documents."""
    global _PARSER
    if _PARSER is None:
        import ast
        import importlib.util
        from html import escape
        from html.parser import HTMLParser

        try:
            spec = importlib.util.find_spec("material.plugins.search.plugin")
            assert spec is not None and spec.origin is not None
            tree = ast.parse(Path(spec.origin).read_text("utf-8"))
            wanted = {"Element", "Section", "Parser", "void"}
            body: list[ast.stmt] = [
                node for node in tree.body
                if isinstance(node, ast.ClassDef) and node.name in wanted
                or isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in wanted for t in node.targets)
            ]
            found = {n.name if isinstance(n, ast.ClassDef) else "void" for n in body}
            assert found == wanted, found
            namespace: dict[str, Any] = {"escape": escape, "HTMLParser": HTMLParser, "__name__": "material.plugins.search.plugin"}
            exec(compile(ast.Module(body=body, type_ignores=[]), spec.origin, "exec"), namespace)
            parser = namespace["Parser"]()
            parser.feed(_PARSER_SAMPLE)  # every path through it once: a name it needs from the
            parser.close()  # rest of the module fails here, not in a build
            _PARSER = namespace["Parser"]
        except Exception:
            with without_jieba():
                from material.plugins.search.plugin import Parser

            _PARSER = Parser
    return _PARSER


def html_sections(content: str) -> list[tuple[str | None, str, str]]:
    """(anchor id, title, text) of each heading section of an HTML fragment (Material's parser)."""
    parser = material_search_parser()()
    parser.feed(content)
    parser.close()
    return [
        (section.id, "".join(section.title).strip(), "".join(section.text).strip())
        for section in parser.data
        if not section.is_excluded()
    ]
