"""QR codes: the SVG louyu writes is byte for byte the one segno writes (outputs/qr.py)."""

from __future__ import annotations

import io
import random

import pytest
import segno
from segno import consts
from segno import encoder as e
from segno import writers

from louyu.outputs import qr


def segno_svg(url: str) -> str:
    code = segno.make(url, error="m", mask=0, micro=False)
    return str(code.svg_inline(scale=5, border=2, dark="#000000", light="#ffffff", omitsize=True))


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing learnt (earlier tests in this process may have made codes of some sizes)."""
    monkeypatch.setattr(qr, "_plans", {})
    monkeypatch.setattr(qr, "_byte_plans", {})
    monkeypatch.setattr(qr, "_ecc_tables", {})
    monkeypatch.setattr(qr, "_pieces", {})
    monkeypatch.setattr(qr, "_trusted", True)


def _all_ways(urls: list[str]) -> set[tuple[int, str]]:
    """Each URL drawn twice (the first of a version and level is learnt, the rest drawn from the
    plan), both times as segno draws it; the (version, level) of each."""
    kinds = set()
    for url in urls:
        code = segno.make(url, error="m", mask=0, micro=False)
        kinds.add((code.version, code.error))
        assert qr.qr_svg(url) == segno_svg(url), url
    assert qr._trusted
    for url in urls:
        assert qr.qr_svg(url) == segno_svg(url), url
    return kinds


def test_codes_of_many_sizes_are_written_as_segno_writes_them(fresh: None) -> None:
    urls = [f"https://example.cn/{'站' * k}/disclosures/hq/item-{k:05d}/" for k in range(0, 120, 3)]
    urls += [f"https://bench.example.cn/s{k:02d}/disclosures/central/item-{n:05d}/" for k in range(11) for n in range(20)]
    urls += ["x", "https://a.b/", "1234567890" * 30]
    kinds = _all_ways(urls)
    assert len({v for v, _ in kinds}) >= 8
    assert len(qr._plans) == len(kinds)  # each version and level learnt and checked against segno


def test_byte_mode_urls_of_every_length_up_to_version_12(fresh: None) -> None:
    # Every length from 1 to 300 bytes: versions 1-12, the error level raised by segno where
    # the data leaves room (Q, H), blocks of one and two sizes, 8- and 16-bit counts.
    rng = random.Random(30)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_/.~"
    urls = ["https://b.cn/" + "".join(rng.choice(alphabet) for _ in range(n))[: max(0, n - 13)] for n in range(14, 301)]
    urls = [u for u in urls if e.find_mode(u.encode()) == consts.MODE_BYTE]
    urls += ["h" * n for n in range(1, 14)]
    kinds = _all_ways(urls)
    assert {v for v, _ in kinds} >= set(range(1, 13))
    assert {lvl for _, lvl in kinds} >= {"M", "Q", "H"}
    assert all(k in qr._byte_plans for k in range(1, 300))  # the fast way, not segno's


def test_non_ascii_percent_encoded_and_other_modes(fresh: None) -> None:
    urls = [
        "https://example.cn/%E7%AB%99/%E5%85%AC%E5%BC%80/item-00001/",  # percent-encoded Han
        "https://example.cn/站点/公开/条目-一/",  # UTF-8 (not Latin-1, not all Shift_JIS)
        "https://example.cn/café/naïve/",  # Latin-1 bytes
        "https://example.jp/データ/",  # Shift_JIS bytes in byte mode
        "データ公開",  # kanji mode
        "HTTPS://EXAMPLE.CN/ITEM-00001/",  # alphanumeric mode
        "20261201" * 9,  # numeric mode
        "https://example.cn/?q=a+b&r=%20%2F#x",
    ]
    modes = {e.find_mode(e.data_to_bytes(u, None)[0]) for u in urls}
    assert modes == {consts.MODE_BYTE, consts.MODE_KANJI, consts.MODE_ALPHANUMERIC, consts.MODE_NUMERIC}
    _all_ways(urls)
    _all_ways([u + "/" * k for u in urls for k in (1, 17, 40)])


def test_error_correction_tables_are_segnos_division() -> None:
    # Reed-Solomon is linear: the tables' XOR is the remainder segno's make_blocks computes.
    rng = random.Random(7)
    for version, level in [(1, consts.ERROR_LEVEL_M), (4, consts.ERROR_LEVEL_M), (5, consts.ERROR_LEVEL_Q),
                           (10, consts.ERROR_LEVEL_M), (20, consts.ERROR_LEVEL_H)]:
        infos = consts.ECC[version][level]
        ndata = sum(i.num_data * i.num_blocks for i in infos)
        data = bytes(rng.randrange(256) for _ in range(ndata))
        buff = e.Buffer()
        for byte in data:
            buff.append_bits(byte, 8)
        _, expected = e.make_blocks(infos, buff)
        plan = qr._Plan(version, level, "", "")
        start = 0
        for (s, end, rows), block in zip(plan.blocks, expected):
            assert s == start
            ecc = 0
            for row, byte in zip(rows, data[s:end]):
                ecc ^= row[byte]
            assert ecc.to_bytes(len(block), "big") == bytes(block)
            start = end


def test_a_wrong_table_is_caught_and_segno_draws_every_code(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    table = qr._ecc_table(18, 32)  # version 4, level M (learnt in this test's own tables)
    table[0] = [v ^ 1 for v in table[0]]  # a block's last byte: one error-correction bit off
    urls = [f"https://bench.example.cn/s{k:02d}/news/central/item-{n:05d}/" for k in range(3) for n in range(3)]
    for url in urls:
        assert qr.qr_svg(url) == segno_svg(url), url
    assert not qr._trusted and not qr._plans


def test_the_path_is_segnos_for_every_row_shape() -> None:
    # Rows that start or end dark or light, blank rows (first, between, last), a single module.
    matrices = [
        (bytearray([1, 1, 0, 1]), bytearray([0, 0, 0, 0]), bytearray([0, 1, 1, 1]), bytearray([1, 0, 0, 1])),
        (bytearray([1]),),
        (bytearray([0]),),
        (bytearray([1, 0]), bytearray([0, 1])),
        (bytearray([0, 0, 1]), bytearray([0, 0, 0]), bytearray([0, 0, 0]), bytearray([1, 0, 0]), bytearray([0, 0, 0])),
        (bytearray([0, 0, 0]), bytearray([0, 1, 0]), bytearray([1, 1, 1])),
        (bytearray([0, 0]), bytearray([0, 0])),
    ]
    rng = random.Random(3)
    matrices += [tuple(bytearray(rng.random() < 0.3 for _ in range(9)) for _ in range(9)) for _ in range(50)]
    for matrix in matrices:
        out = io.BytesIO()
        writers.write_svg(matrix, (len(matrix[0]), len(matrix)), out, scale=5, border=2, dark="#000000", light="#ffffff",
                          omitsize=True, xmldecl=False, svgns=False, nl=False)
        svg = out.getvalue().decode("utf-8")
        assert qr.path_of(matrix) == svg.split(' stroke="#000" d="', 1)[1].split('"', 1)[0], matrix
