"""What published pictures cost a build (issue 29's budget: ≤ 5 % of a cold build).

    python benchmarks/pictures.py [--stations 10] [--items 400] [--photo-every 10] [--runs 3]

One workload (benchmarks/workload.py) where every tenth item has a 12-megapixel phone photo
as its cover and in its body. Each run, in a fresh process each:

  plain       cold build (no cache, no output) with pictures copied as they are, the way
              louyu published them before (render/pictures.py RESIZED emptied): the baseline
  first       cold build with pictures: each picture's copies made (once per picture, ever)
  cold        cold build again, the build cache deleted except its pictures/ folder (the
              copies are made once per picture digest and kept, not once per build)

and prints medians, `cold` against `plain` (the budget) and what the first build pays.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "generator"))

from workload import generate  # noqa: E402

RUNNER = """
import sys
from pathlib import Path
import louyu.render.pictures as pictures
from louyu.pipeline.build import build
if sys.argv[2] == "plain":
    pictures.RESIZED = frozenset()  # pictures copied as they are: the baseline
build(Path(sys.argv[1]) / "mkdocs.yml", Path(sys.argv[1]) / "site")
"""


def timed(root: Path, mode: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", RUNNER, str(root), mode], check=True)
    return time.perf_counter() - started


def clear(root: Path, keep_pictures: bool) -> None:
    shutil.rmtree(root / "site", ignore_errors=True)
    cache = root / ".louyu-cache"
    if not keep_pictures:
        shutil.rmtree(cache, ignore_errors=True)
    elif cache.is_dir():
        for entry in cache.iterdir():
            if entry.name != "pictures":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--photo-every", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp) / "platform", args.stations, args.items, photo_every=args.photo_every)
        photos = len(list((root / "content").rglob("photo.jpg")))
        size = sum(p.stat().st_size for p in (root / "content").rglob("photo.jpg"))
        print(f"{args.stations} stations, {args.items} items, {photos} photos ({size / 2**20:.0f} MiB)")
        times: dict[str, list[float]] = {"plain": [], "first": [], "cold": []}
        for run in range(args.runs):
            clear(root, keep_pictures=False)
            times["plain"].append(timed(root, "plain"))
            clear(root, keep_pictures=False)
            times["first"].append(timed(root, "pictures"))
            clear(root, keep_pictures=True)
            times["cold"].append(timed(root, "pictures"))
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()))
        median = {k: statistics.median(v) for k, v in times.items()}
        published = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file())
        print(f"plain (pictures copied as they are) {median['plain']:.2f} s")
        print(f"first build with pictures            {median['first']:.2f} s  (+{median['first'] - median['plain']:.2f} s, "
              f"{(median['first'] - median['plain']) / photos:.2f} s per photo, once)")
        print(f"cold build, pictures kept            {median['cold']:.2f} s  ({100 * (median['cold'] / median['plain'] - 1):+.1f} %; budget +5 %)")
        print(f"output {published / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
