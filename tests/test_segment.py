"""Chinese segmentation for search: rjieba gives exactly what Material's jieba would."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from louyu.render.theme import segment_chinese

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"  # beside the clone, as on CI; optional


def test_segmentation_matches_material_with_jieba() -> None:
    jieba = pytest.importorskip("jieba")
    jieba.setLogLevel(logging.WARNING)
    from material.plugins.search import plugin

    plugin.jieba = jieba  # Material segments only when jieba is importable
    material = plugin.SearchIndex()._segment_chinese
    texts = ["万达广场分站骑手驿站自开放以来，已为外卖骑手提供服务 1200 余人次。", "Hello 世界，2026年楼宇党建"]
    sources = sorted((ROOT / "content").rglob("*.md")) + (sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])
    for source in sources:
        texts += [line for line in source.read_text("utf-8").splitlines() if re.search(r"[\u4e00-\u9fff]", line)][:200]
    assert len(texts) > 100
    different = [t for t in texts if segment_chinese(t) != material(t)]
    assert different == []


def test_segments_are_separated_by_zero_width_space() -> None:
    assert segment_chinese("楼宇党建共享平台") == "楼宇\u200b党建\u200b共享\u200b平台"
    assert segment_chinese("") == ""
    assert segment_chinese("plain text") == "plain text"


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
