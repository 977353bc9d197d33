"""QR codes as inline SVG: segno's symbol, its SVG path written faster than segno writes it.

A cold build at 1+10×400 items draws ~660 codes (the print view of every disclosure on
every station, the screens' slides); segno took 1.7 ms a code, half of it writing the SVG
path (a generator and a `str.format` per run of dark modules). Here the runs of each row are
found with one regular expression and written as segno writes them: `M<x> <y>h<length>`,
then `m<dx> <dy>h<length>`. The rest of the SVG (its size, the background, the closing tags)
depends only on the symbol's size and is taken from segno's own output for the first code of
each size, whose path is also compared with the one written here: if they ever differ (a
newer segno), segno writes every code itself from then on. tests/test_qr.py compares the
two on codes of many sizes.
"""

from __future__ import annotations

import re
from typing import Any

SCALE, BORDER, DARK, LIGHT = 5, 2, "#000000", "#ffffff"
_RUN = re.compile(rb"[^\x00]+")
_PATH = ' stroke="#000" d="'
_frames: dict[int, tuple[str, str]] = {}  # symbol width -> (before the path, after it)
_trusted = True


def qr_svg(url: str) -> str:
    import segno

    # A fixed mask: choosing the "best" of eight costs 8x and no scanner needs it.
    code = segno.make(url, error="m", mask=0, micro=False)
    frame = _frames.get(len(code.matrix)) if _trusted else None
    if frame is not None:
        return frame[0] + path_of(code.matrix) + frame[1]
    svg = _segno_svg(code)
    if _trusted:
        _learn(code.matrix, svg)
    return svg


def _segno_svg(code: Any) -> str:
    return str(code.svg_inline(scale=SCALE, border=BORDER, dark=DARK, light=LIGHT, omitsize=True))


def _learn(matrix: Any, svg: str) -> None:
    global _trusted
    head, found, rest = svg.partition(_PATH)
    d, quote, tail = rest.partition('"')
    if not found or not quote or d != path_of(matrix):
        _trusted = False
        return
    _frames[len(matrix)] = (head + _PATH, '"' + tail)


def path_of(matrix: Any) -> str:
    """The `d` of the dark modules' path, as segno writes it (segno.writers.write_svg with
    segno.utils.matrix_to_lines: each row's runs, left to right, relative to the last run's end)."""
    out = []
    px = 0
    py = 0.0
    y = BORDER + 0.5
    first = True
    for row in matrix:
        for run in _RUN.finditer(bytes(row)):
            x1 = BORDER + run.start()
            dy = y - py
            out.append(f"{'M' if first else 'm'}{x1 - px} {int(dy) if int(dy) == dy else dy}h{run.end() - run.start()}")
            first = False
            px, py = BORDER + run.end(), y
        y += 1
    return "".join(out)
