"""A search group's term shards patched after a few docs changed are the very shards a build
from scratch makes (render/search_terms.py): same terms, postings, order, bytes."""

from __future__ import annotations

import random

import pytest

from louyu.render.search_terms import TermIndex, shard_of

VOCABULARY = [chr(0x4E00 + k) for k in range(60)] + ["党建", "楼宇", "灯塔", "2026", "abc", "党员"]
STATIONS = {"hq": ["中", "心", "中心", "党建"], "a": ["楼", "宇", "楼宇"], "b": ["灯", "塔", "灯塔", "站"]}


def doc(rng: random.Random, common: float, own: set[str] | None = None, station: str | None = None) -> tuple[str, str]:
    """A doc's terms as the search index makes them: its own sorted, then its station's
    (which may repeat some of its own); its title terms, a part of its own."""
    if own is None:
        own = {t for t in VOCABULARY if rng.random() < common}
    words = STATIONS[station or rng.choice(sorted(STATIONS))]
    title = sorted(t for t in own if rng.random() < 0.2)
    return " ".join(sorted(own)) + " " + " ".join(sorted(words)), " ".join(title)


@pytest.mark.parametrize("seed", range(40))
def test_patched_shards_equal_shards_made_afresh(seed: int) -> None:
    rng = random.Random(seed)
    stations = {}
    docs = []
    for n in range(rng.choice([3, 17, 40, 90])):
        stations[n] = rng.choice(sorted(STATIONS))
        docs.append(doc(rng, rng.choice([0.05, 0.3, 0.8]), station=stations[n]))
    shards = rng.choice([1, 2, 4, 8])
    index = TermIndex.made([t for t, _ in docs], [t for _, t in docs], shards)
    patches = 0
    for _ in range(6):
        places = rng.sample(range(len(docs)), min(len(docs), rng.choice([1, 1, 2, 3])))
        if rng.random() < 0.5:  # an edit that adds or drops a few words only
            changed = {}
            for n in places:
                own = set(docs[n][0].split()) - set(STATIONS[stations[n]])
                changed[n] = doc(rng, 0, own ^ set(rng.sample(VOCABULARY, 3)), stations[n])
        else:  # rewritten, maybe by another station
            changed = {n: doc(rng, rng.choice([0.05, 0.3, 0.8])) for n in places}
        before = {n: docs[n] for n in changed}
        for n, value in changed.items():
            docs[n] = value
        patched = index.patched(len(docs), {n: (before[n], changed[n]) for n in changed}, lambda n: docs[n][0])
        fresh = TermIndex.made([t for t, _ in docs], [t for _, t in docs], shards)
        if patched is None:  # (a doc's kept terms changed order: made afresh)
            index = fresh
            continue
        patches += 1
        assert patched.shards == fresh.shards
        assert patched.twice == fresh.twice
        index = patched
    assert patches >= 2


def test_a_term_twice_in_a_doc_is_kept_through_a_bitmap() -> None:
    # 党建 in the text and in the station's name: the doc holds it twice; written as a bitmap
    # (in most docs), the patch must still know it to choose gaps or bitmap later.
    docs = [("党建 楼宇 中心 党建", "")] + [("党建 楼宇", "")] * 30
    index = TermIndex.made([t for t, _ in docs], [t for _, t in docs], 2)
    assert index.twice == {"党建": [0]}
    before, docs[5] = docs[5], ("楼宇", "楼宇")
    patched = index.patched(len(docs), {5: (before, docs[5])}, lambda n: docs[n][0])
    assert patched is not None
    assert patched.shards == TermIndex.made([t for t, _ in docs], [t for _, t in docs], 2).shards
    assert shard_of("党建", 2) in (0, 1)
