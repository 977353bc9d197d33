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
