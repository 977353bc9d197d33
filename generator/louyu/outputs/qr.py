"""QR codes as inline SVG: segno's symbols and SVG, byte for byte, at a tenth of a millisecond.

A cold build at 1+10×400 items draws ~800 codes (the print view of every disclosure on
every station, the screens' slides); segno takes 2 ms a code, this module's version before
1 ms, this one 0.1 ms (benchmarks/qr.py). What a code of a given version and error level
looks like is a fixed function of its data codewords, so everything that does not depend
on them is learnt once per (version, error level), and a code then costs a handful of
C-level operations:

- the data codewords: for byte mode (every URL) the mode, count, data, terminator,
  padding and pad codewords as one int, as segno's write_* steps lay them out (other
  modes take segno's own steps);
- error correction: Reed–Solomon is linear over GF(2^8), so a block's error-correction
  codewords are the XOR of one table entry per data codeword (an int holding all of them,
  for that byte at that distance from the block's end), learnt from segno's generator
  polynomials;
- placement and mask: the message (data, then each block's error correction, then the
  remainder bits) XOR the mask as one binary string, and the matrix read out of it (and
  of the fixed modules) by one `itemgetter` that knows where segno's `add_codewords` puts
  each bit after interleaving (learnt by letting segno write into rows that record where);
- the SVG path: the matrix as one string, rows apart by "|0", cut by one `bytes.split` at
  each "01" into pieces (a run of dark modules and the light ones after it, across row
  ends too), each written from a table (`h<length>m<dx> <dy>`) as segno writes it.

segno stays the reference: the first code of each version and error level is made both
ways and compared (SVG and matrix); if they ever differ (another segno), segno makes every
code itself from then on. tests/test_qr.py compares the two on codes of many sizes, modes
and encodings.
"""

from __future__ import annotations

from functools import reduce
from operator import getitem, itemgetter, xor
from typing import Any, Callable

SCALE, BORDER, DARK, LIGHT = 5, 2, "#000000", "#ffffff"
_PATH = ' stroke="#000" d="'
_plans: dict[tuple[int, int], _Plan] = {}  # (version, error level) -> how to draw its codes
_byte_plans: dict[int, tuple[int, int, int, int]] = {}  # bytes -> version, error, capacity, count bits
_ecc_tables: dict[int, tuple[list[list[int]], bytes]] = {}  # error codewords a block -> table, next x^j mod g
_trusted = True


def qr_svg(url: str) -> str:
    key, data = None, b""
    if _trusted:
        try:
            key, data = _codewords(url)
        except Exception:  # what segno's steps do not take as here (too long): segno decides
            key = None
        plan = _plans.get(key) if key is not None else None
        if plan is not None:
            return plan.svg(data)
    import segno

    # A fixed mask: choosing the "best" of eight costs 8x and no scanner needs it.
    code = segno.make(url, error="m", mask=0, micro=False)
    svg = _segno_svg(code)
    if _trusted and key is not None:
        _learn(key, data, code, svg)
    return svg


def _segno_svg(code: Any) -> str:
    return str(code.svg_inline(scale=SCALE, border=BORDER, dark=DARK, light=LIGHT, omitsize=True))


def _learn(key: tuple[int, int], data: bytes, code: Any, svg: str) -> None:
    """A plan for this version and error level, kept if it draws segno's code and SVG."""
    global _trusted
    head, found, rest = svg.partition(_PATH)
    d, quote, tail = rest.partition('"')
    try:
        plan = _Plan(key[0], key[1], head + _PATH, '"' + tail)
        agrees = found and quote and code.version == key[0] and plan.svg(data) == svg
        agrees = agrees and plan.modules(data) == _rows_text(code.matrix) and d == path_of(code.matrix)
    except Exception:  # a segno whose tables or steps are not as learnt here
        agrees = False
    if agrees:
        _plans[key] = plan
    else:
        _trusted = False


# --- the data codewords -------------------------------------------------------------------


def _codewords(url: str) -> tuple[tuple[int, int], bytes]:
    """(version, error level) and the data codewords of segno.make(url, error="m", micro=False)."""
    from segno import consts
    from segno import encoder as e

    data, _, _ = e.data_to_bytes(url, None)
    if e.find_mode(data) != consts.MODE_BYTE:
        return _codewords_by_segno(url)
    n = len(data)
    found = _byte_plans.get(n)
    if found is None:
        found = _byte_plans[n] = _byte_plan(n)
    version, error, capacity, count_bits = found
    # segno's write_segment, write_terminator, write_padding_bits, write_pad_codewords:
    length = 4 + count_bits + 8 * n
    bits = (((consts.MODE_BYTE << count_bits) | n) << 8 * n) | int.from_bytes(data, "big")
    pad = min(capacity - length, consts.TERMINATOR_LENGTH[None])
    pad += 8 - (length + pad) % 8  # a whole zero byte when the terminator ends on a boundary
    bits, length = bits << pad, length + pad
    words = bits.to_bytes(length // 8, "big") + _PADS[: max(0, capacity // 8 - length // 8)]
    return (version, error), words[: capacity // 8]


_PADS = bytes([0xEC, 0x11]) * 1500


def _byte_plan(n: int) -> tuple[int, int, int, int]:
    """segno's version and error level for n bytes in byte mode (they depend on n alone)."""
    from segno import consts
    from segno import encoder as e

    segments = e.prepare_data(b"\0" * n, None, None)
    version = e.find_version(segments, consts.ERROR_LEVEL_M, eci=False, micro=False)
    error = e.boost_error_level(version, consts.ERROR_LEVEL_M, segments, False, is_sa=False)
    count_bits = consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_BYTE][e.version_range(version)]
    return version, error, consts.SYMBOL_CAPACITY[version][error], count_bits  # type: ignore[index]


def _codewords_by_segno(url: str) -> tuple[tuple[int, int], bytes]:
    """Numeric, alphanumeric or kanji data: segno's own steps (segno.encoder._encode)."""
    from segno import consts
    from segno import encoder as e

    segments = e.prepare_data(url, None, None)
    version = e.find_version(segments, consts.ERROR_LEVEL_M, eci=False, micro=False)
    error = e.boost_error_level(version, consts.ERROR_LEVEL_M, segments, False, is_sa=False)
    buff = e.Buffer()
    for segment in segments:
        e.write_segment(buff, segment, None, e.version_range(version), False)
    capacity = consts.SYMBOL_CAPACITY[version][error]  # type: ignore[index]
    e.write_terminator(buff, capacity, None, len(buff))
    e.write_padding_bits(buff, version, len(buff))
    e.write_pad_codewords(buff, version, capacity, len(buff))
    return (version, error), bytes(buff.toints())[: capacity // 8]


# --- error correction ------------------------------------------------------------------------


def _ecc_table(e: int, rows: int) -> list[list[int]]:
    """For each distance j from a block's end (up to rows) and each byte b: the e error
    codewords (as one int) of a block holding b there and zeros elsewhere, that is
    b * x^(j+e) mod the generator polynomial segno's make_blocks divides by."""
    from segno import consts

    exp, log, gen = consts.GALIOS_EXP, consts.GALIOS_LOG, consts.GEN_POLY[e]
    table, rest = _ecc_tables.get(e) or ([], bytes(exp[g] for g in gen))  # x^e mod g
    times_two = bytes([0] + [exp[log[x] + 1] for x in range(1, 256)])
    while len(table) < rows:
        basis, word = [], rest  # for the bytes 1, 2, 4 ... 128: x = 2 generates the field
        for _ in range(8):
            basis.append(int.from_bytes(word, "big"))
            word = word.translate(times_two)
        row = [0]
        for b in basis:  # row[k]: the XOR of the basis entries of k's bits
            row += [b ^ v for v in row]
        table.append(row)
        top, rest = rest[0], rest[1:] + b"\0"  # x^(j+1+e) mod g
        if top:
            rest = bytes(r ^ exp[log[top] + g] for r, g in zip(rest, gen))
    _ecc_tables[e] = table, rest
    return table


# --- placement, mask and the SVG path -------------------------------------------------------


class _Plan:
    """How the codes of one version and error level are drawn from their data codewords."""

    __slots__ = ("blocks", "shift", "remainder", "mask", "bits", "read", "head", "tail")

    def __init__(self, version: int, error: int, head: str, tail: str) -> None:
        from segno import consts

        self.head, self.tail = head, tail
        infos = consts.ECC[version][error]  # type: ignore[index]
        e = infos[0].num_total - infos[0].num_data
        sizes = [info.num_data for info in infos for _ in range(info.num_blocks)]
        if any(info.num_total - info.num_data != e for info in infos):
            raise ValueError("blocks with different numbers of error codewords")
        table = _ecc_table(e, max(sizes))
        starts = [sum(sizes[:b]) for b in range(len(sizes))]
        self.blocks = [(s, s + d, table[d - 1 :: -1]) for s, d in zip(starts, sizes)]
        ndata = sum(sizes)
        self.shift = 8 * e
        template, order, flips = _layout(version, error)
        # the final message's codewords (segno's make_final_message): data interleaved, then
        # error correction interleaved; here each is the index of its byte in data ‖ ecc ‖ ...
        slots = [s + c for c in range(max(sizes)) for s, d in zip(starts, sizes) if c < d]
        slots += [ndata + e * b + c for c in range(e) for b in range(len(sizes))]
        nbits = 8 * len(slots)
        self.remainder = len(order) - nbits
        length = len(order)
        where = {ij: 8 * slots[p >> 3] + (p & 7) if p < nbits else p for p, ij in enumerate(order)}
        self.mask = sum(1 << (length - 1 - where[ij]) for ij in flips)
        self.bits = f"0{length}b"
        index = []
        for i, row in enumerate(template):
            index += [where[i, j] if v == 2 else length + v for j, v in enumerate(row)]
            index += [length + 2, length]  # a row ends: "|0" (see _path)
        self.read: Callable[[bytes], tuple[int, ...]] = itemgetter(*index[:-2])

    def modules(self, data: bytes) -> bytes:
        """The matrix: each row's modules as "0" and "1", rows apart by "|0"."""
        ecc = 0
        for start, end, rows in self.blocks:
            ecc = (ecc << self.shift) | reduce(xor, map(getitem, rows, data[start:end]))
        message = (((int.from_bytes(data, "big") << self.shift * len(self.blocks)) | ecc) << self.remainder) ^ self.mask
        return bytes(self.read((format(message, self.bits) + "01|").encode()))

    def svg(self, data: bytes) -> str:
        return self.head + _path(self.modules(data)) + self.tail


def _layout(version: int, error: int) -> tuple[tuple[bytearray, ...], list[tuple[int, int]], list[tuple[int, int]]]:
    """The matrix without the codewords (format and version information in), where each
    codeword bit goes (in order), and which of those modules mask 0 flips: what segno's
    add_codewords and find_and_apply_best_mask do, learnt by letting them write."""
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
    e.add_format_info(template, version, error, 0)
    e.add_version_info(template, version)
    return template, order, flips


class _Recorder:
    """A matrix row that notes where it is written (and what changed)."""

    def __init__(self, i: int, row: bytearray, log: list[tuple[int, int, int, int]]) -> None:
        self.i, self.row, self.log = i, row, log

    def __getitem__(self, j: int) -> int:
        return self.row[j]

    def __setitem__(self, j: int, value: int) -> None:
        self.log.append((self.i, j, self.row[j], int(value)))
        self.row[j] = value


class _Pieces(dict[bytes, str]):
    """A piece of the matrix text as _path cuts it -> what segno writes for it. The piece is
    a run of dark modules and the light ones after it (up to the next dark one, across row
    ends too), less the first dark and the last light: the dark run is a line (`h<length>`),
    the light ones a move to the next line's start from this one's end (`m<dx> <dy>`, where
    dx is negative when a row ends in between)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width

    def __missing__(self, piece: bytes) -> str:
        light = piece.lstrip(b"1")
        text = self[piece] = f"h{len(piece) - len(light) + 1}" + self.move(light + b"0")
        return text

    def move(self, light: bytes) -> str:
        light = light.replace(b"|0", b"|")
        if b"|" not in light:
            return f"m{len(light)} 0"
        # t light modules end the row, then any blank rows, then s light ones start a row
        t, s = light.index(b"|"), len(light) - 1 - light.rindex(b"|")
        return f"m{s - (self.width - t)} {light.count(b'|')}"


_pieces: dict[int, _Pieces] = {}  # row width -> its pieces


def _path(text: bytes) -> str:
    """The `d` of the dark modules' path (segno.writers.write_svg with segno.utils.matrix_to_lines)
    from the matrix as text: rows of "0" and "1" apart by "|0", so that wherever light turns dark
    there is a "01" to cut at (str.split, in C). "M2 2.5", then each piece; a first row that
    starts light gives segno's empty first line ("h0"), light after the last dark nothing."""
    width = text.find(b"|")
    if width < 0:
        width = len(text)
    pieces = _pieces.get(width)
    if pieces is None:
        pieces = _pieces[width] = _Pieces(width)
    body = text.rstrip(b"0|")
    start = f"M{BORDER} {BORDER + 0.5}"
    if not body:
        return start + "h0"
    parts = (b"0" + body + b"01").split(b"01")  # the first and last are not pieces
    if parts[0]:  # light modules first (never in a QR code): a move from the empty line
        start += "h0" + pieces.move(parts[0][1:] + b"0")
    # The last piece has the light "0" added after the body to cut it: its move ("m1 0") goes.
    return start + "".join(map(pieces.__getitem__, parts[1:-1]))[:-4]


def _rows_text(matrix: Any) -> bytes:
    return b"|0".join(bytes(row).translate(_DIGITS) for row in matrix)


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def path_of(matrix: Any) -> str:
    """The `d` of the dark modules' path of a matrix (rows of 0 and 1), as segno writes it."""
    return _path(_rows_text(matrix))
