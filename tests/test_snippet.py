"""An item's text for search snippets and terms, without Material's search parser, is the
text Material's parser gives (render/snippet.py): on the example platform, the benchmark's
workload and generated Markdown, through the build's own conversion and sanitiser."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from louyu.platform.config import without_jieba
from louyu.render import snippet
from louyu.render.content import sanitize
from louyu.render.terms import normalize, plain_text
from louyu.render.snippet import snippet_text

ROOT = Path(__file__).resolve().parent.parent


def material_text(body: str) -> str:
    """What louyu did before: Material's own Parser (the installed plugin, imported), its
    sections' title and text, the first section's title left out, as plain text."""
    with without_jieba():
        from material.plugins.search.plugin import Parser
    parser = Parser()
    parser.feed(body)
    parser.close()
    sections = [("".join(s.title).strip(), "".join(s.text).strip()) for s in parser.data if not s.is_excluded()]
    return plain_text([f"{title} {text}" if k else text for k, (title, text) in enumerate(sections)])


def converter() -> markdown.Markdown:
    # The example platform's extensions (mkdocs.yml), plus what bodies may bring.
    return markdown.Markdown(
        extensions=[
            "admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.details", "pymdownx.superfences",
            "pymdownx.tasklist", "pymdownx.highlight", "footnotes", "def_list",
        ],
        extension_configs={"toc": {"permalink": True}, "pymdownx.highlight": {"linenums": False}},
    )


def body_of(md: markdown.Markdown, source: str) -> str:
    return sanitize(md.reset().convert(source), {})


def fast(body: str) -> bool:
    try:
        snippet._sections(body)
    except snippet._Unsure:
        return False
    return True


def test_the_example_platform_gives_materials_text() -> None:
    md = converter()
    sources = sorted((ROOT / "content").rglob("*.md"))
    assert len(sources) > 20
    bodies = [body_of(md, s.read_text("utf-8").split("---", 2)[-1]) for s in sources]
    for source, body in zip(sources, bodies):
        assert snippet_text(body) == material_text(body), source
    assert sum(map(fast, bodies)) >= len(bodies) * 0.9  # the fast way is the usual one


def test_the_benchmark_workload_gives_materials_text(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from workload import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    platform = generate(tmp_path / "w", 2, 60)
    md = converter()
    sources = sorted((platform / "content").rglob("*.md"))
    assert len(sources) == 60
    for source in sources:
        body = body_of(md, source.read_text("utf-8").split("---", 2)[-1])
        assert fast(body), source
        assert snippet_text(body) == material_text(body), source


@pytest.mark.parametrize("body", [
    "",
    "<p>只有一段</p>",
    '<h1 id="a">开头的一级标题<a class="headerlink" href="#a">¶</a></h1><p>正文</p>',
    '<h2 id="a">开头的二级标题</h2><p>正文</p><h1 id="b">后来的一级</h1><p>又一段</p>',
    "<p>前</p><p> </p><p>后</p><sup></sup>紧接<ul><li> </li><li>项</li></ul>",
    "<p>甲<sup></sup>乙</p><p><code>  </code>丙</p>",
    "<pre><code>第一行\n\n   缩进  两个空格\n</code></pre><p>a &amp; b &lt;c&gt; d&nbsp;e\u3000f\u200bg</p>",
    '<div><h2 id="x">嵌套的标题</h2><p>里面</p></div><p>外面</p>',  # Material's parser steps back
    "<h3>没有 id 的标题</h3><p>正文</p>",
    '<div class="linenodiv">1 2</div><p>代码</p>',
    '<p>x</p><h2 id="s">标题<code>代码</code><sub>下标</sub></h2><p>y</p>',
])
def test_edge_cases_give_materials_text(body: str) -> None:
    assert snippet_text(body) == material_text(body)


_INLINE = st.sampled_from([
    "楼宇党建", "共享平台", "**加粗**", "*强调*", "`代码  片段`", "[链接](https://example.org)", " & ", " < ", "&amp;",
    "&nbsp;", "\u3000", "\u200b", "2026", "PDF", "<sup>上</sup>", "<sub></sub>", "<code></code>", "<br>", " ", "H<sub>2</sub>O",
])
_LINE = st.lists(_INLINE, min_size=1, max_size=6).map("".join)
_BLOCK = st.one_of(
    _LINE,
    st.tuples(st.integers(1, 6), _LINE).map(lambda t: "#" * t[0] + " " + t[1]),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda xs: "\n".join(f"- {x}" for x in xs)),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda xs: "\n".join(f"1. {x}" for x in xs)),
    st.lists(_LINE, min_size=1, max_size=2).map(lambda xs: "- 外层\n    - " + "\n    - ".join(xs)),
    st.tuples(_LINE, _LINE).map(lambda t: f"```\n{t[0]}\n\n  {t[1]}\n```"),
    st.tuples(_LINE, _LINE).map(lambda t: f"| 甲 | 乙 |\n|---|---|\n| {t[0]} | {t[1]} |"),
    st.tuples(_LINE, _LINE).map(lambda t: f'!!! note "{t[0]}"\n    {t[1]}'),
    st.tuples(_LINE, _LINE).map(lambda t: f"!!! tip\n    ## {t[0]}\n\n    {t[1]}"),
    st.tuples(_LINE, _LINE).map(lambda t: f"??? info \"{t[0]}\"\n    {t[1]}"),
    st.tuples(_LINE, _LINE).map(lambda t: f'<div markdown>\n\n## {t[0]}\n\n{t[1]}\n\n</div>'),
    st.tuples(_LINE, _LINE).map(lambda t: f"- [x] {t[0]}\n- [ ] {t[1]}"),
    st.tuples(_LINE, _LINE).map(lambda t: f"{t[0]}\n:   {t[1]}"),
    st.just("<p> </p>"),
    st.just("<h3>原样的标题</h3>"),
    st.just("---"),
    st.just("脚注[^1]。\n\n[^1]: 脚注内容"),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BLOCK, min_size=0, max_size=8))
def test_generated_markdown_gives_materials_text(blocks: list[str]) -> None:
    body = body_of(converter(), "\n\n".join(blocks))
    assert snippet_text(body) == material_text(body)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("党建ＡＢｚ１２３，：（）！～　 ABc9\u0301ﬁ①㈱ｶﾞ\uffe5\u3002、")) | st.characters(), max_size=40))
def test_search_normalisation_is_nfkc_in_lower_case(text: str) -> None:
    """Full-width forms are mapped before NFKC is asked for (render/terms.py): the same text as
    NFKC and lower case, which the search worker applies to a query."""
    assert normalize(text) == unicodedata.normalize("NFKC", text).lower()
