"""Material's search parser as louyu takes it from the installed plugin's source (for the
pages render/snippet.py leaves to it): it splits pages exactly as Material does."""

from __future__ import annotations

from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"  # beside the clone, as on CI; optional


def test_section_parser_taken_from_material_source_matches_material() -> None:
    # html_sections uses Material's search Parser compiled from the installed plugin's
    # source (importing the plugin costs 60 ms): it must split pages exactly as Material does.
    import markdown
    from material.plugins.search.plugin import Parser

    from louyu.render.theme import material_search_parser

    extracted = material_search_parser()
    assert extracted is not Parser and extracted.__name__ == "Parser"  # the fast path, not the fallback
    md = markdown.Markdown(extensions=["toc", "tables", "fenced_code", "admonition", "attr_list"], extension_configs={"toc": {"permalink": True}})
    pages = [
        "# 标题 {#t}\n\n正文\n\n## 小节 {#s}\n\n- 一\n- 二\n\n```\ncode  kept\n```\n\n<script>x()</script>\n\n### 再下 {#d data-search-exclude}\n\n隐藏",
        "无标题的正文。\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n!!! note \"注意\"\n    提示<sub>下</sub>",
    ]
    sources = sorted((ROOT / "content").rglob("*.md")) + (sorted(SEEDS.glob("*.txt"))[:30] if SEEDS.is_dir() else [])
    pages += [s.read_text("utf-8").split("---", 2)[-1] for s in sources]
    assert len(pages) > 20

    def sections(parser_class: type, html: str) -> list[tuple[object, ...]]:
        parser = parser_class()
        parser.feed(html)
        parser.close()
        return [(s.id, s.depth, "".join(s.title), "".join(s.text), s.is_excluded()) for s in parser.data]

    for page in pages:
        html = md.reset().convert(page)
        assert sections(extracted, html) == sections(Parser, html)
    from louyu.render.theme import _PARSER_SAMPLE

    assert sections(extracted, _PARSER_SAMPLE) == sections(Parser, _PARSER_SAMPLE)
