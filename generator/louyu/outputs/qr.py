"""QR codes as inline SVG: segno's symbols and SVG, made in a third of segno's time.

A cold build at 1+10×400 items draws ~660 codes (the print view of every disclosure on
every station, the screens' slides); segno took 1.7 ms a code. Most of it went on what is
the same for every code of a size: walking the whole matrix to place the codewords and
again to apply the mask (a function call per module), and writing the SVG path (a
generator and a `str.format` per run of dark modules). Here segno's own functions encode
the data (segments, padding, error correction, format and version information), and where
each codeword bit goes and which modules the mask flips are learnt once per version by
letting segno's own `add_codewords` and mask step write into rows that record where they
write. The path's runs are found with one regular expression per row and written as segno
writes them (`M<x> <y>h<length>`, then `m<dx> <dy>h<length>`); the rest of the SVG depends
only on the size and is taken from segno's output. The first code of each version is made
both ways and compared: if they ever differ (another segno), segno makes every code itself
from then on. tests/test_qr.py compares the two on codes of many sizes.
"""

from __future__ import annotations

import re
from typing import Any

SCALE, BORDER, DARK, LIGHT = 5, 2, "#000000", "#ffffff"
_RUN = re.compile(rb"[^\x00]+")
_PATH = ' stroke="#000" d="'
_frames: dict[int, tuple[str, str]] = {}  # symbol width -> (before the path, after it)
_layouts: dict[int, tuple[tuple[bytearray, ...], list[tuple[int, int]], list[tuple[int, int]]]] = {}
_trusted = True


def qr_svg(url: str) -> str:
    import segno

    if _trusted:
        try:
            version, matrix = _encode(url)
        except Exception:  # what segno's functions do not take as here: segno decides
            matrix = None
        frame = _frames.get(len(matrix)) if matrix is not None else None
        if frame is not None:
            return frame[0] + path_of(matrix) + frame[1]
    # A fixed mask: choosing the "best" of eight costs 8x and no scanner needs it.
    code = segno.make(url, error="m", mask=0, micro=False)
    svg = _segno_svg(code)
    if _trusted:
        _learn(code, svg, matrix)
    return svg


def _encode(url: str) -> tuple[int, tuple[bytearray, ...]]:
    """(version, matrix) of segno.make(url, error="m", mask=0, micro=False), by segno's
    encoder's steps (segno.encoder.encode and _encode) with the placement learnt per version."""
    from segno import consts
    from segno import encoder as e

    segments = e.prepare_data(url, None, None)
    version = e.find_version(segments, consts.ERROR_LEVEL_M, eci=False, micro=False)
    error = e.boost_error_level(version, consts.ERROR_LEVEL_M, segments, False, is_sa=False)
    buff = e.Buffer()
    ver_range = e.version_range(version)
    for segment in segments:
        e.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][error]  # type: ignore[index]
    e.write_terminator(buff, capacity, None, len(buff))
    e.write_padding_bits(buff, version, len(buff))
    e.write_pad_codewords(buff, version, capacity, len(buff))
    bits = e.make_final_message(version, error, buff)
    template, order, flips = _layout(version)
    matrix = tuple(bytearray(row) for row in template)
    for (i, j), bit in zip(order, bits):
        matrix[i][j] = bit
    for i, j in flips:
        matrix[i][j] ^= 1
    e.add_format_info(matrix, version, error, 0)
    e.add_version_info(matrix, version)
    return version, matrix


class _Recorder:
    """A matrix row that notes where it is written (and what changed)."""

    def __init__(self, i: int, row: bytearray, log: list[tuple[int, int, int, int]]) -> None:
        self.i, self.row, self.log = i, row, log

    def __getitem__(self, j: int) -> int:
        return self.row[j]

    def __setitem__(self, j: int, value: int) -> None:
        self.log.append((self.i, j, self.row[j], int(value)))
        self.row[j] = value


def _layout(version: int) -> tuple[tuple[bytearray, ...], list[tuple[int, int]], list[tuple[int, int]]]:
    """The matrix before the codewords, where each codeword bit goes (in order) and which
    modules mask 0 flips: what segno's add_codewords and find_and_apply_best_mask do."""
    found = _layouts.get(version)
    if found is None:
        from segno import encoder as e

        width = e.calc_matrix_size(version)
        template = e.make_matrix(width, width)
        e.add_finder_patterns(template, width, width)
        e.add_alignment_patterns(template, width, width)
        log: list[tuple[int, int, int, int]] = []
        rows = tuple(_Recorder(i, bytearray(row), log) for i, row in enumerate(template))
        e.add_codewords(rows, [0] * sum(row.count(2) for row in template), version)
        order = [(i, j) for i, j, _, _ in log]
        log.clear()
        rows = tuple(_Recorder(i, bytearray(width), log) for i in range(width))  # all light: a flip shows
        e.find_and_apply_best_mask(rows, width, width, 0)
        flips = [(i, j) for i, j, before, after in log if before != after]
        found = _layouts[version] = (template, order, flips)
    return found


def _segno_svg(code: Any) -> str:
    return str(code.svg_inline(scale=SCALE, border=BORDER, dark=DARK, light=LIGHT, omitsize=True))


def _learn(code: Any, svg: str, matrix: Any) -> None:
    """segno's code and SVG against what is made here: the SVG's frame kept if they agree."""
    global _trusted
    head, found, rest = svg.partition(_PATH)
    d, quote, tail = rest.partition('"')
    if not found or not quote or d != path_of(code.matrix) or matrix is None or list(matrix) != list(code.matrix):
        _trusted = False
        return
    _frames[len(code.matrix)] = (head + _PATH, '"' + tail)


def path_of(matrix: Any) -> str:
    """The `d` of the dark modules' path, as segno writes it (segno.writers.write_svg with
    segno.utils.matrix_to_lines: each row's runs, left to right, relative to the last run's end)."""
    out: list[str] = []
    px = 0  # where the last run ended
    last = -1  # its row
    same = _SAME_ROW
    for r, row in enumerate(matrix):
        for run in _RUN.finditer(bytes(row)):
            start, end = run.span()
            if r == last:
                piece = same.get((start + BORDER - px, end - start))
                if piece is None:
                    piece = same[start + BORDER - px, end - start] = f"m{start + BORDER - px} 0h{end - start}"
                out.append(piece)
            elif last < 0:
                out.append(f"M{start + BORDER} {BORDER + 0.5}h{end - start}")
            else:
                out.append(f"m{start + BORDER - px} {r - last}h{end - start}")
            px, last = end + BORDER, r
    return "".join(out)


_SAME_ROW: dict[tuple[int, int], str] = {}  # (gap, length) -> the move and line to a run further along its row
