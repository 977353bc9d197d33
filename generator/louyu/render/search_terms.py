"""A search group's term shards (search/<group>/t<k>.json, see render/search.py), made from its
docs, or patched from the shards an earlier build made when a few docs changed in place.

The shards of a group of D docs, made from scratch: every term of every doc in turn (docs
newest first, each doc's terms in the order of its `terms`), its postings in the shard
`shard_of(term, shards)`; a shard lists its terms in the order they were first met. A
term may stand twice in a doc (a word of its station's name that its text also holds): then
the doc's id stands twice in the gaps (a gap of 0), and twice in the count that chooses
between gaps and a bitmap.

`TermIndex` is all that, kept so that it can be patched: the shards as they are written,
and, for the terms written as bitmaps (which cannot show a doc twice), the docs that hold
them twice. When the docs at some places changed (an edit, an approval, a status) and the
group kept its size, only the terms whose postings changed are worked out again, and the
terms are put back in the order a build from scratch gives them: by the first doc that
holds them, then by their place in that doc's terms. A group that grew or shrank (a new
doc moves every later one up) is made from scratch.
"""

from __future__ import annotations

import base64
import json
from collections import Counter, defaultdict
from typing import Any, Callable, Sequence

# A patch is worth it for a few changed docs; more, and making the shards afresh is as fast.
MAX_PATCHED = 8


def shard_of(term: str, shards: int) -> int:
    """FNV-1a over the term's UTF-16 code units, as the worker computes it."""
    h = 0x811C9DC5
    data = term.encode("utf-16-le")
    for k in range(0, len(data), 2):
        h ^= data[k] | data[k + 1] << 8
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


def postings(ids: list[int], docs: int) -> list[int] | str:
    """The docs holding a term: their ids as gaps, or, where that is longer (a term in many
    docs, 党建 in most), one bit per doc, base64 — a common word costs docs/6 bytes at most."""
    if 2 * len(ids) > docs // 6 + 8:
        bits = bytearray((docs + 7) // 8)
        for i in ids:
            bits[i >> 3] |= 1 << (i & 7)
        return base64.b64encode(bytes(bits)).decode("ascii")
    out, last = [], -1
    for i in ids:
        out.append(i - last)
        last = i
    return out


def _bits(encoded: str) -> int:
    return int.from_bytes(base64.b64decode(encoded), "little")


def _ids(encoded: list[int] | str, twice: Sequence[int] = ()) -> list[int]:
    """The ids a posting stands for, a doc holding the term twice twice."""
    if isinstance(encoded, str):
        bits = _bits(encoded)
        found = []
        while bits:
            low = bits & -bits
            found.append(low.bit_length() - 1)
            bits ^= low
        return sorted(found + list(twice)) if twice else found
    found, last = [], -1
    for gap in encoded:
        last += gap
        found.append(last)
    return found


def _count_at(encoded: list[int] | str, doc: int, twice: Sequence[int] = ()) -> int:
    """How often `doc` stands in the posting (0, 1 or 2)."""
    if isinstance(encoded, str):
        if not _bits(encoded) >> doc & 1:
            return 0
        return 2 if doc in twice else 1
    n, last = 0, -1
    for gap in encoded:
        last += gap
        if last == doc:
            n += 1
        elif last > doc:
            break
    return n


def _first(encoded: list[int] | str) -> int:
    if isinstance(encoded, str):
        bits = _bits(encoded)
        return (bits & -bits).bit_length() - 1
    return encoded[0] - 1


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class TermIndex:
    """A group's term shards, as the text of their files (`shards`), and (`twice`) for the
    terms written as bitmaps, the docs that hold them twice. Plain lists and strings, to be
    kept between builds and read back quickly (a shard's text is decoded only when patched).
    A patch also needs the changed docs' terms as they were: the caller keeps those."""

    def __init__(self, shards: list[str], twice: dict[str, list[int]]) -> None:
        self.shards = shards
        self.twice = twice

    @classmethod
    def made(cls, terms: list[str], titles: list[str], shards: int) -> "TermIndex":
        """From scratch: `terms`/`titles` are each doc's space-separated terms, newest first."""
        body: defaultdict[str, list[int]] = defaultdict(list)
        title: defaultdict[str, list[int]] = defaultdict(list)
        for n, text in enumerate(terms):
            for t in text.split():
                body[t].append(n)
        for n, text in enumerate(titles):
            for t in text.split():
                title[t].append(n)
        docs = len(terms)
        parts: list[dict[str, list[Any]]] = [{} for _ in range(shards)]
        twice: dict[str, list[int]] = {}
        for t, ids in body.items():
            encoded = postings(ids, docs)
            parts[shard_of(t, shards)][t] = [encoded, postings(title[t], docs) if t in title else []]
            if isinstance(encoded, str) and _bits(encoded).bit_count() != len(ids):
                twice[t] = sorted(i for i, n in Counter(ids).items() if n > 1)
        return cls([_json_text(part) for part in parts], twice)

    def patched(
        self, docs: int, changed: dict[int, tuple[tuple[str, str], tuple[str, str]]], terms_at: Callable[[int], str],
    ) -> "TermIndex | None":
        """This index of `docs` docs with those at `changed` (place -> (its terms and title
        terms before, and now)) replaced; `terms_at(n)`: the terms of the doc at n as it is
        now. None where the order of the terms a doc kept changed (then the index is made
        afresh)."""
        count = len(self.shards)
        places = sorted(changed)
        twice = dict(self.twice)
        now: dict[int, Counter[str]] = {}
        now_title: dict[int, set[str]] = {}
        moved: set[str] = set()  # the terms whose postings change
        for n in places:
            (old_terms, old_titles), (new_terms, new_titles) = changed[n]
            old_seq, new_seq = old_terms.split(), new_terms.split()
            old, new = Counter(old_seq), Counter(new_seq)
            old_title, new_title = set(old_titles.split()), set(new_titles.split())
            here = {t for t in old.keys() | new.keys() if old[t] != new[t]} | (old_title ^ new_title)
            # The terms a doc kept keep their order in it (else a shard not patched could
            # list them in another order than a build from scratch).
            if [t for t in dict.fromkeys(old_seq) if t not in here] != [t for t in dict.fromkeys(new_seq) if t not in here]:
                return None
            moved |= here
            now[n], now_title[n] = new, new_title
        touched: dict[int, dict[str, list[Any]]] = {}
        shard_of_term = {t: shard_of(t, count) for t in moved}
        for k in set(shard_of_term.values()):
            touched[k] = json.loads(self.shards[k])
        firsts: set[int] = set(places)
        new_entries: dict[str, list[Any] | None] = {}
        for t in moved:
            old_entry = touched[shard_of_term[t]].get(t)
            body_ids = [i for i in (_ids(old_entry[0], twice.get(t, ())) if old_entry else []) if i not in changed]
            title_ids = [i for i in (_ids(old_entry[1]) if old_entry and old_entry[1] != [] else []) if i not in changed]
            for n in places:
                body_ids += [n] * now[n][t]
                if t in now_title[n]:
                    title_ids.append(n)
            twice.pop(t, None)
            if not body_ids:
                new_entries[t] = None  # in no doc any more
                continue
            body_ids.sort()
            title_ids.sort()
            encoded = postings(body_ids, docs)
            new_entries[t] = [encoded, postings(title_ids, docs) if title_ids else []]
            firsts.add(body_ids[0])
            if isinstance(encoded, str) and _bits(encoded).bit_count() != len(body_ids):
                twice[t] = sorted(i for i, c in Counter(body_ids).items() if c > 1)
        # A patched shard in the order a build from scratch gives: by the first doc holding
        # a term, then its place in that doc's terms (worked out for the docs where terms
        # moved in or out; the others' terms keep their order).
        place_in: dict[int, dict[str, int]] = {}
        for n in firsts:
            order: dict[str, int] = {}
            for k, t in enumerate(changed[n][1][0].split() if n in changed else terms_at(n).split()):
                order.setdefault(t, k)
            place_in[n] = order
        shards = list(self.shards)
        for k, part in touched.items():
            for t in moved:
                if shard_of_term[t] == k:
                    part[t] = new_entries[t]  # type: ignore[assignment]
            ranked = []
            for index, (t, e) in enumerate(part.items()):
                if e is not None:
                    first = _first(e[0])
                    ranked.append(((first, place_in[first][t] if first in place_in else index), t, e))
            ranked.sort(key=lambda r: r[0])
            shards[k] = _json_text({t: e for _, t, e in ranked})
        return TermIndex(shards, twice)
