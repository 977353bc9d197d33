"""The desk at the size platforms reach: item list, editor, save with its check.

    python benchmarks/desk.py [--stations 30] [--items 4000] [--runs 5] [--dir DIR]

Makes the platform with benchmarks/workload.py (unless --dir holds one), builds it once (the
desk reuses the build's parse cache, as `louyu check` does), starts a real desk on a free
port and times, over HTTP as a browser asks: the central admin's item list, a substation
admin's list, an item's editor, and a save (check, write, git commit, the item parsed again).
Targets (issue 27): list and editor <= 200 ms, save with its check <= 1 s. Prints the median.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))

from desk_helpers import Client, running_desk  # noqa: E402
from louyu.pipeline.build import build  # noqa: E402
from louyu.platform.loader import load_platform  # noqa: E402


def timed(runs: int, call) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def arguments(doc: str, *extra: tuple[str, int]) -> argparse.Namespace:
    """The desk benchmarks' options: the workload's size, repetitions, a folder to reuse."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--stations", type=int, default=30)
    parser.add_argument("--items", type=int, default=4000)
    for name, default in extra:
        parser.add_argument(name, type=int, default=default)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    return parser.parse_args()


def built_workload(args: argparse.Namespace, prefix: str) -> tuple[Path, Path]:
    """(platform folder, its mkdocs.yml): benchmarks/workload.py's platform, built once (the
    desk reuses the build's parse cache), or the one --dir holds."""
    folder = args.dir or Path(tempfile.mkdtemp(prefix=prefix)) / "platform"
    config = folder / "mkdocs.yml"
    print(f"platform: {folder}")
    if not config.is_file():
        subprocess.run([sys.executable, str(ROOT / "benchmarks/workload.py"), str(folder), "--stations", str(args.stations), "--items", str(args.items)], check=True)
        started = time.perf_counter()
        build(config, folder / "site")
        print(f"first build: {time.perf_counter() - started:.1f} s")
    return folder, config


def main() -> None:
    args = arguments(__doc__)
    folder, config = built_workload(args, "louyu-desk-bench-")
    platform, _ = load_platform(config)
    central = next(p for p in platform.central.staff if p.role == "admin")
    sub = next(p for s in platform.stations.values() if not s.is_central for p in s.staff if p.role == "admin")
    own = sorted((i for i in platform.items if i.station == central.station), key=lambda i: i.path)
    target = own[len(own) // 2]
    key = target.path.removesuffix("/index.md").removesuffix(".md")
    started = time.perf_counter()
    with running_desk(config) as (desk, port):
        print(f"desk started (platform loaded): {time.perf_counter() - started:.2f} s, {len(desk.platform.items)} items")
        c = Client(port).sign_in(folder, central.id)
        s = Client(port).sign_in(folder, sub.id)
        started = time.perf_counter()
        c.get("/items")  # first visit: the gate's review of each of the station's items, kept after
        ms_first = (time.perf_counter() - started) * 1000
        s.get("/items")
        ms_list = timed(args.runs, lambda: c.get("/items"))
        ms_sub = timed(args.runs, lambda: s.get("/items"))
        ms_edit = timed(args.runs, lambda: c.get(f"/edit/{key}"))
        saves = []
        for n in range(args.runs):
            page = c.get(f"/edit/{key}").text
            version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
            form = {"title": f"{target.title}（第 {n} 次修改）", "date": target.date.isoformat(), "body": target.body + f"\n\n补充 {n}。", "version": version}
            if target.section == "activities":
                form.update(start=target.start.strftime("%Y-%m-%dT%H:%M") if target.start else "", location=target.location or "")
            if target.section == "themes":
                form["month"] = target.month or ""
            if target.section == "disclosures":
                form["scope"] = "public"
            started = time.perf_counter()
            r = c.post_form(f"/save/{key}", form)
            saves.append(time.perf_counter() - started)
            assert r.status == 303, r.text[:2000]
        ms_save = statistics.median(saves) * 1000
    print(f"{len(platform.items)} items, {len(platform.stations)} stations")
    print(f"item list, central admin ({len(own)} items): {ms_list:.0f} ms (target 200); first visit {ms_first:.0f} ms")
    print(f"item list, substation admin: {ms_sub:.0f} ms (target 200)")
    print(f"editor of {key}: {ms_edit:.0f} ms (target 200)")
    print(f"save with its check and git commit: {ms_save:.0f} ms (target 1000)")


if __name__ == "__main__":
    main()
