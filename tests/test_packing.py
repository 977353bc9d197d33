"""What a full build hands between its processes in packed form, and memo values decoded
when first asked for (docs/performance.md, third round): the same values come back out."""

from __future__ import annotations

import json

from louyu.memo.cache import Cache, Memo, Stored, _decoded
from louyu.pipeline.parallel import packed_keys, unpacked_keys
from louyu.render.content import ContentRenderer, RenderedItem


def _renderer() -> ContentRenderer:
    return ContentRenderer(lambda: ([], {}), "test")


class _Item:  # what ContentRenderer.render reads of an item that is already rendered
    def __init__(self, digest: str) -> None:
        self.digest = digest


def test_packed_renderings_come_back_as_they_were() -> None:
    content = _renderer()
    renderings = {
        "d1": RenderedItem("d1", "<p>党建引领 &amp; 共治</p>", "党建引领 共治", "党 建 党建", "党 建"),
        "d2": RenderedItem("d2", "<p>😀 emoji 与 é</p>", "", "", ""),  # four-byte characters, empty fields
        "d3": RenderedItem("d3", "", "text only", "t", ""),
    }
    content.cache.update(renderings)
    content.pack()
    assert content.cache == {}  # held packed, not as strings of their own
    for digest, rendering in renderings.items():
        assert content.render(_Item(digest)) == rendering  # type: ignore[arg-type]
    # Packed again after more renderings: the earlier ones still come out.
    content.cache["d4"] = RenderedItem("d4", "<p>第四</p>", "第四", "第 四 第四", "第四")
    content.pack()
    assert content.render(_Item("d4")) == RenderedItem("d4", "<p>第四</p>", "第四", "第 四 第四", "第四")  # type: ignore[arg-type]
    assert content.render(_Item("d1")) == renderings["d1"]  # type: ignore[arg-type]


def test_packed_keys_round_trip_with_files_made_every_build() -> None:
    keys: dict[str, str | None] = {
        "zongzhan/index.html": "a" * 32,
        "zongzhan/manifest.json": None,  # made every build
        "zongzhan/news/2026-11-30 党建 活动/index.html": "b" * 32,
    }
    assert dict(unpacked_keys(packed_keys(keys))) == keys
    assert list(unpacked_keys(packed_keys({}))) == []


def test_memo_values_are_decoded_when_first_asked_for_and_bad_text_counts_as_missing() -> None:
    values = _decoded([("a", json.dumps({"x": [1, 2]})), ("b", "{not json"), ("c", json.dumps("a string")), ("d", "null")])
    assert isinstance(values, Stored)
    assert dict.__getitem__(values, "a") == (json.dumps({"x": [1, 2]}),)  # still text
    memo = Memo(values)
    assert memo.peek("a") == {"x": [1, 2]}
    assert dict.__getitem__(values, "a") == {"x": [1, 2]}  # decoded once, kept decoded
    assert memo.peek("b") is None and "b" not in values  # not JSON: gone, made again
    assert memo.peek("c") == "a string"  # a decoded string is told apart from stored text
    assert memo.get("d", lambda: [3]) == [3]  # null: as if missing
    assert values["a"] == {"x": [1, 2]} and values.pop("c") == "a string" and values.pop("zz", 5) == 5
    assert memo.used == {"a", "c", "d"}


def test_memo_values_read_back_from_a_cache_equal_what_was_stored(tmp_path) -> None:
    cache = Cache(tmp_path)
    stored = {"k1": {"shards": ["t1", "t2"], "docs": 3}, "k2": "词 语", "k3": [1, "二"]}
    memo = Memo({})
    for key, value in stored.items():
        memo.put(key, value)
    cache.save_memo("search", memo)
    again = cache.memo("search")
    assert {key: again.peek(key) for key in stored} == stored
    cache.close()
