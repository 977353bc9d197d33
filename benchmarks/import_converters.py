"""Which Word converter louyu import uses, measured (docs/import.md has the figures).

Documents: tests/import_docs/notice.fodt saved as .docx by LibreOffice (a Chinese notice:
Title style, 一、/（一） numbering as plain paragraphs, a table with merged cells, two photos
with alt text, a footnote, a hyperlink, lists, bold and italic), and a long report made of
60 copies of its body (60 tables, 120 photos, ~1,000 paragraphs).

Candidates (each skipped, and said so, when not installed):
  louyu      mammoth → HTML → louyu's shaping → markdownify (what louyu import does)
  mammoth+markdownify, mammoth+html-to-markdown: the same HTML, converted as it is
  pandoc     Debian's pandoc -f docx -t gfm --extract-media
  python-docx  reading the paragraphs and tables (it writes no Markdown: the walk a
               converter built on it would start from)

    python benchmarks/import_converters.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from io import BytesIO
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from office import SOURCES, make_office_docs  # noqa: E402

COPIES = 60
PANDOC_RSS: list[float] = []  # MiB, each run's peak resident size (pandoc's own, from wait4)


def long_report(folder: Path) -> None:
    """tests/import_docs/notice.fodt's body 60 times over, as a second source."""
    text = (SOURCES / "notice.fodt").read_text("utf-8")
    head, rest = text.split("<office:text>", 1)
    body, tail = rest.split("</office:text>", 1)
    first, others = body.split("\n", 2)[1], body.split("\n", 2)[2]  # keep one Title paragraph
    (folder / "report.fodt").write_text(head + "<office:text>\n" + first + "\n" + others * COPIES + "</office:text>" + tail, "utf-8")


def candidates() -> dict[str, Callable[[bytes, Path], str] | None]:
    found: dict[str, Callable[[bytes, Path], str] | None] = {}
    from louyu.importer import convert

    found["louyu (mammoth + shaping + markdownify)"] = lambda data, _: convert(data, "x.docx").body
    try:
        import mammoth
        import markdownify

        found["mammoth alone (to HTML)"] = lambda data, _: mammoth.convert_to_html(BytesIO(data)).value
        found["mammoth + markdownify"] = lambda data, _: markdownify.markdownify(mammoth.convert_to_html(BytesIO(data)).value, heading_style="ATX")
    except ImportError:
        found["mammoth + markdownify"] = None
    try:
        import html_to_markdown
        import mammoth

        found["mammoth + html-to-markdown"] = lambda data, _: html_to_markdown.convert(mammoth.convert_to_html(BytesIO(data)).value).content
    except ImportError:
        found["mammoth + html-to-markdown"] = None
    found["pandoc (Debian)"] = _pandoc if shutil.which("pandoc") else None
    try:
        import docx

        def python_docx(data: bytes, _: Path) -> str:
            d = docx.Document(BytesIO(data))
            parts = [p.text for p in d.paragraphs]
            for t in d.tables:
                parts += [" | ".join(c.text for c in row.cells) for row in t.rows]
            return "\n".join(parts)

        found["python-docx (text walk)"] = python_docx
    except ImportError:
        found["python-docx (text walk)"] = None
    return found


def _pandoc(data: bytes, folder: Path) -> str:
    src = folder / "in.docx"
    src.write_bytes(data)
    media = folder / "media"
    shutil.rmtree(media, ignore_errors=True)
    out = folder / "out.md"
    proc = subprocess.Popen(["pandoc", "-f", "docx", "-t", "gfm", f"--extract-media={media}", "-o", str(out), str(src)])
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    PANDOC_RSS.append(usage.ru_maxrss / 1024)
    return out.read_text("utf-8")


FEATURES: dict[str, Callable[[str], bool]] = {
    "Word headings": lambda md: bool(re.search(r"^#+ 活动照片", md, re.M)),
    "一、/（一） as headings": lambda md: bool(re.search(r"^#+ 一、活动主题", md, re.M) and re.search(r"^#+ （一）时间地点", md, re.M)),
    "merged cells": lambda md: 'rowspan="2"' in md and 'colspan="2"' in md,
    "photos + alt": lambda md: len(re.findall(r"!\[(党员参观红色展馆|志愿服务现场)\]|<img[^>]*alt=\"(党员参观红色展馆|志愿服务现场)\"", md)) >= 2,
    "footnote": lambda md: "党的二十届四中全会于2025年10月" in md and bool(re.search(r"\[\^1\]|\(#fn-1\)|href=\"#fn-1\"|\(#footnote-", md)),
    "hyperlink": lambda md: "](https://www.12371.cn/)" in md,
    "bold + italic": lambda md: "**主题党日**" in md and "*如遇调整另行通知*" in md,
    # nested: Python-Markdown nests a list only under 4 spaces
    "nested lists": lambda md: bool(re.search(r"^[-*] +楼宇内全体党员；\n\n? {4}[-*] +含流动党员", md, re.M) and re.search(r"^1\. +高度重视", md, re.M)),
}


def measure(fn: Callable[[bytes, Path], str], data: bytes, folder: Path, runs: int) -> tuple[float, float, str]:
    out = fn(data, folder)  # warm: imports and first-call costs are not what an import repeats
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = fn(data, folder)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    fn(data, folder)
    peak = tracemalloc.get_traced_memory()[1] / 1048576
    tracemalloc.stop()
    return min(times), peak, out  # the best of the runs: other work on a shared machine only adds


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        long_report(folder)
        docs = make_office_docs(folder)
        big = _convert_extra(folder)
        print(f"notice.docx {len(docs['notice']) / 1024:.0f} KB, report.docx {len(big) / 1024:.0f} KB ({COPIES} copies)\n")
        print("| converter | notice (best of 5) | report (best of 3) | peak (report, Python heap) | " + " | ".join(FEATURES) + " |")
        print("|---" * (4 + len(FEATURES)) + "|")
        for name, fn in candidates().items():
            if fn is None:
                print(f"| {name} | not installed |")
                continue
            t_small, _, out = measure(fn, docs["notice"], folder, 5)
            t_big, peak, _ = measure(fn, big, folder, 3)
            marks = " | ".join("yes" if check(out) else "no" for check in FEATURES.values())
            memory = f"{peak:.0f} MiB" if not name.startswith("pandoc") else f"{max(PANDOC_RSS):.0f} MiB (process RSS)"
            print(f"| {name} | {t_small * 1000:.0f} ms | {t_big * 1000:.0f} ms | {memory} | {marks} |")


def _convert_extra(folder: Path) -> bytes:
    """report.fodt as .docx (make_office_docs converts only the test sources)."""
    import base64

    from office import PHOTOS

    text = (folder / "report.fodt").read_text("utf-8")
    for key, data in PHOTOS.items():
        text = text.replace("{%s}" % key, base64.b64encode(data).decode())
    (folder / "report-in").mkdir()
    (folder / "report-in" / "report.fodt").write_text(text, "utf-8")
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to", "docx",
         "--outdir", str(folder / "report-in"), str(folder / "report-in" / "report.fodt")],
        check=True, capture_output=True, timeout=240,
    )
    return (folder / "report-in" / "report.docx").read_bytes()


if __name__ == "__main__":
    main()
