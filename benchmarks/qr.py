"""What a cold build's QR codes cost: segno alone, the qr.py of a baseline revision, today's qr.py.

    python benchmarks/qr.py [--runs 7] [--baseline e69d539] [--urls FILE]

The codes of a cold build at 1+10×400: ~800 URLs of the workload's shape
(https://bench.example.cn/<station>/<section>/<origin>/item-NNNNN/, 49-64 bytes, versions 4
and 5 at level M: what `louyu build` drew for /work/bench/ref400), or the URLs of FILE (one
a line). Each repetition times the three in turn (order rotated), in this process, each
from nothing learnt: the qr modules are loaded afresh from their source (the baseline's from
`git show BASELINE:generator/louyu/outputs/qr.py`), so what a version learns per size is
paid as a cold build pays it. segno itself is imported before timing. CPU time (process
time) and wall time; medians and ranges of --runs, and the ratios to segno and the baseline.
Every SVG is compared with segno's first (byte for byte), outside the timing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QR = "generator/louyu/outputs/qr.py"


def workload_urls(seed: int = 30) -> list[str]:
    """~800 URLs as a cold build at 1+10×400 draws them: on each of 11 stations the print
    view of the disclosures (most from the central station), activities and news."""
    rng = random.Random(seed)
    stations = ["central"] + [f"s{k:02d}" for k in range(1, 11)]
    urls = []
    for station in stations:
        for section, origin, count in [("disclosures", "central", 56), ("activities", "central", 6), ("news", "central", 6)]:
            urls += [f"https://bench.example.cn/{station}/{section}/{origin}/item-{n:05d}/" for n in rng.sample(range(1, 400), count)]
    for station in ["central", "s02", "s07"]:
        origin = station if station != "central" else "s02"
        urls += [f"https://bench.example.cn/{station}/disclosures/{origin}/item-{n:05d}/" for n in rng.sample(range(1, 400), 16)]
    return urls


def module_from(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = name
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def segno_svg(url: str) -> str:
    import segno

    code = segno.make(url, error="m", mask=0, micro=False)
    return str(code.svg_inline(scale=5, border=2, dark="#000000", light="#ffffff", omitsize=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", default="e69d539", help="the git revision whose qr.py is the baseline")
    parser.add_argument("--urls", type=Path, help="a file of URLs, one a line")
    args = parser.parse_args()
    urls = args.urls.read_text().split() if args.urls else workload_urls()
    import segno  # noqa: F401 - imported before any timing

    sources = {
        "baseline": subprocess.run(["git", "show", f"{args.baseline}:{QR}"], cwd=ROOT, check=True,
                                   capture_output=True, text=True).stdout,
        "now": (ROOT / QR).read_text(),
    }

    def draw(kind: str) -> Callable[[], list[str]]:
        if kind == "segno":
            return lambda: [segno_svg(u) for u in urls]
        module = module_from(sources[kind], f"qr_{kind}")
        return lambda: [module.qr_svg(u) for u in urls]

    expected = draw("segno")()
    for kind in sources:
        assert draw(kind)() == expected, f"{kind}: an SVG differs from segno's"
    kinds = ["segno", "baseline", "now"]
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    wall: dict[str, list[float]] = {k: [] for k in kinds}
    for run in range(args.runs):
        for kind in kinds[run % 3:] + kinds[: run % 3]:
            make = draw(kind)  # loaded before the clock starts; learns nothing until called
            c0, w0 = time.process_time(), time.perf_counter()
            make()
            cpu[kind].append(time.process_time() - c0)
            wall[kind].append(time.perf_counter() - w0)
    print(f"{len(urls)} QR codes, {args.runs} runs each (interleaved), every code from nothing learnt")
    print(f"{'':10} {'CPU s (median, range)':>26} {'wall s':>8} {'µs a code':>10} {'/ segno':>8} {'/ baseline':>11}")
    seg, base = statistics.median(cpu["segno"]), statistics.median(cpu["baseline"])
    for kind in kinds:
        c = statistics.median(cpu[kind])
        print(f"{kind:10} {c:10.3f} ({min(cpu[kind]):.3f}-{max(cpu[kind]):.3f}) {statistics.median(wall[kind]):8.3f}"
              f" {c / len(urls) * 1e6:10.0f} {c / seg:8.3f} {c / base:11.3f}")


if __name__ == "__main__":
    main()
