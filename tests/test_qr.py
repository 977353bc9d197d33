"""QR codes: the SVG louyu writes is byte for byte the one segno writes (outputs/qr.py)."""

from __future__ import annotations

import pytest
import segno

from louyu.outputs import qr


def segno_svg(url: str) -> str:
    code = segno.make(url, error="m", mask=0, micro=False)
    return str(code.svg_inline(scale=5, border=2, dark="#000000", light="#ffffff", omitsize=True))


def test_codes_of_many_sizes_are_written_as_segno_writes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # From nothing learnt (earlier tests in this process may have made codes of some sizes).
    monkeypatch.setattr(qr, "_frames", {})
    monkeypatch.setattr(qr, "_layouts", {})
    monkeypatch.setattr(qr, "_trusted", True)
    urls = [f"https://example.cn/{'站' * k}/disclosures/hq/item-{k:05d}/" for k in range(0, 120, 3)]
    urls += [f"https://bench.example.cn/s{k:02d}/disclosures/central/item-{n:05d}/" for k in range(11) for n in range(20)]
    urls += ["x", "https://a.b/", "1234567890" * 30]
    sizes = set()
    for url in urls:
        sizes.add(len(segno.make(url, error="m", mask=0, micro=False).matrix))
        assert qr.qr_svg(url) == segno_svg(url), url
    assert len(sizes) >= 8
    assert qr._trusted and len(qr._frames) == len(sizes)  # each size learnt and checked against segno
    for url in urls:  # now every code the fast way
        assert qr.qr_svg(url) == segno_svg(url), url


def test_the_path_is_segnos_for_every_row_shape() -> None:
    # Rows that start or end dark or light, blank rows, a single module.
    matrices = [
        (bytearray([1, 1, 0, 1]), bytearray([0, 0, 0, 0]), bytearray([0, 1, 1, 1]), bytearray([1, 0, 0, 1])),
        (bytearray([1]),),
        (bytearray([1, 0]), bytearray([0, 1])),
    ]
    from segno import writers, utils  # noqa: F401 - segno's own path writer, for comparison
    import io

    for matrix in matrices:
        out = io.BytesIO()
        writers.write_svg(matrix, (len(matrix[0]), len(matrix)), out, scale=5, border=2, dark="#000000", light="#ffffff",
                          omitsize=True, xmldecl=False, svgns=False, nl=False)
        svg = out.getvalue().decode("utf-8")
        assert qr.path_of(matrix) == svg.split(' stroke="#000" d="', 1)[1].split('"', 1)[0]
