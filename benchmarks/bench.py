"""Benchmark louyu against the naive way: one plain mkdocs-material project per station.

    python benchmarks/bench.py [--stations 10] [--items 400] [--runs 3] [--skip-naive]

Generates the workload (benchmarks/workload.py), then in each run measures:

  naive     one `mkdocs build` per station, in turn, of a plain Material project holding
            exactly the pages that station's louyu site publishes (same theme, search, jieba)
  cold      `louyu build` with no cache and no output
  no-op     `louyu build` again, nothing changed
  one edit  one central broadcast edited and re-approved, then `louyu build`
  floor     a fresh Python that only converts that edited item (Markdown, its text):
            what no one-edit rebuild in a new process can go below

and prints medians and ratios taken within each run (machine noise cancels). Memory is
measured apart, in builds of their own (sampling slows what it measures): the peak over
louyu's whole process tree (sum of PSS, sampled every 20 ms) in a second cold build per
run, with the bytes it wrote, the naive peak in a second build of its largest station, and
the peak of a full rebuild over that output after a change every key depends on (a Markdown
extension added, as an upgrade of louyu changes every key: each item converted again, each
page made anew, beside the old output and its record).

At the size a platform reaches after years: `--stations 30 --items 4000 --runs 1 --skip-naive`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "generator"))

from workload import generate  # noqa: E402


def tree_pss_kib(root_pid: int) -> int:
    """Sum of PSS over a process and all its descendants (shared pages counted once)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def tool(name: str) -> str:
    """The console script next to this Python (as in a virtualenv), not a version manager's
    shim in front of it (pyenv's costs ~0.05 s per call): both tools are called alike."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else (shutil.which(name) or name)


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, sample: bool = False) -> tuple[float, int]:
    """Wall seconds of a command and, with `sample`, its peak tree PSS (KiB; else 0).

    The disk is synced first, untimed: otherwise a command pays for writing back what the
    one before it wrote (after a naive build, ~40 MB per station), which grows run after
    run and made the same cold build vary 1.5-4 s. Sampling memory reads every process's
    page tables every 20 ms and slows what it measures (a one-edit build: 0.219 -> 0.240 s,
    median of 9), so timed runs are not sampled: memory is measured in runs of its own."""
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sampling() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_kib(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sampling, daemon=True)
    if sample:
        sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    if sample:
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return seconds, peak


def set_aside(path: Path, trash: Path) -> None:
    """Move an old output out of the way, to be deleted after the benchmark. Deleting it
    just before a timed build slows that build: this machine's disk is mounted with
    `discard`, and the TRIMs of ~11,000 deleted files slow the writes that follow for
    minutes (six cold builds, each after `rm -rf` of the last: 1.8 -> 4.2 s; each after
    moving the last aside: 1.53, 1.49, 1.44, 1.47 s)."""
    if path.exists():
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def make_naive_projects(platform: Path, site: Path, into: Path) -> list[Path]:
    """One Material project per station with that station's published items as pages."""
    projects = []
    mkdocs_yml = (
        "site_name: {name}\ntheme:\n  name: material\n  language: zh\n  font: false\n  palette:\n    primary: red\n"
        "plugins:\n  - search\nmarkdown_extensions:\n  - admonition\n  - attr_list\n  - tables\n  - toc:\n      permalink: true\n"
    )
    for manifest in sorted(site.glob("*/manifest.json")):
        data = json.loads(manifest.read_text("utf-8"))
        project = into / data["station"]
        docs = project / "docs"
        docs.mkdir(parents=True)
        (docs / "index.md").write_text(f"# {data['station']}\n", "utf-8")
        for entry in data["items"]:
            src = platform / entry["path"]
            dest = docs / entry["url"].rstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest.with_suffix(".md"))
        (project / "mkdocs.yml").write_text(mkdocs_yml.format(name=data["station"]), "utf-8")
        projects.append(project)
    return projects


def edit_one_broadcast(platform: Path, n: int) -> None:
    target = sorted((platform / "content" / "central" / "news").glob("*.md"))[0]
    target.write_text(target.read_text("utf-8") + f"\n\n第 {n} 次修改：新增一段文字。\n", "utf-8")
    rel = target.relative_to(platform).as_posix()
    subprocess.run([tool("louyu"), "review", "approve", rel, "--by", "central-inst", "-f", str(platform / "mkdocs.yml")], check=True, capture_output=True)


# What any one-edit rebuild in a fresh process must at least do: start Python, load
# Markdown with the platform's extensions, and convert
# the edited item (the helper does exactly this beside the build). Nothing else: no
# platform loaded, no page made, nothing written.
FLOOR = """
import sys
from pathlib import Path
from louyu.memo.cache import Memo, cache_dir, peek_memo
from louyu.memo.config import memo_markdown_settings
from louyu.render.content import ContentRenderer
from louyu.render.snippet import snippet_text
from louyu.platform.config import markdown_config_from
config = Path(sys.argv[1])
known = memo_markdown_settings(config, Memo(peek_memo(cache_dir(config.parent), "config")))
extensions, configs, fingerprint = markdown_config_from(*known)
md = ContentRenderer(lambda: (extensions, configs), fingerprint).md
body = md.convert(Path(sys.argv[2]).read_text("utf-8").split("---", 2)[2])
snippet_text(body)
"""


def conversion_floor(platform: Path, env: dict[str, str]) -> float:
    target = sorted((platform / "content" / "central" / "news").glob("*.md"))[0]
    return run([sys.executable, "-c", FLOOR, str(platform / "mkdocs.yml"), str(target)], env=env)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description="louyu benchmark (ratios against naive MkDocs builds)")
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="louyu figures only (no ratios to naive)")
    parser.add_argument(
        "--workdir", type=Path, default=Path.cwd(),
        help="where the platform and outputs live (default: the current folder, like a real checkout; "
        "on this kind of machine /tmp is ~10x slower for file creation than /work)",
    )
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".louyu-bench-", dir=args.workdir))
    platform = generate(work / "platform", args.stations, args.items)
    env = {**os.environ, "LOUYU_CACHE_DIR": str(work / "cache")}
    louyu = [tool("louyu"), "build", "-f", str(platform / "mkdocs.yml")]
    out = work / "site"
    subprocess.run([*louyu, "-d", str(out)], check=True, capture_output=True, env=env)
    pages = sum(len(json.loads(m.read_text("utf-8"))["items"]) for m in out.glob("*/manifest.json"))
    projects = [] if args.skip_naive else make_naive_projects(platform, out, work / "naive")
    largest = max(projects, key=lambda p: sum(1 for _ in (p / "docs").rglob("*.md")), default=None)
    print(f"workload: 1 central + {args.stations} substations, {args.items} items, {pages} item pages; {os.cpu_count()} cores")

    trash = work / "trash"
    rows: dict[str, list[float]] = {k: [] for k in ("naive", "cold", "noop", "edit", "floor", "cold_mem", "naive_mem", "over_mem")}
    written = 0
    for n in range(args.runs):
        if projects:
            naive_time = 0.0
            for project in projects:
                set_aside(project / "site", trash)
                naive_time += run([tool("mkdocs"), "build", "-q"], cwd=project)[0]
            rows["naive"].append(naive_time)
            # Memory: the station with the most pages, built again with sampling.
            set_aside(largest / "site", trash)
            rows["naive_mem"].append(run([tool("mkdocs"), "build", "-q"], cwd=largest, sample=True)[1] / 1024)
        set_aside(out, trash)
        set_aside(work / "cache", trash)
        rows["cold"].append(run([*louyu, "-d", str(out)], env=env)[0])
        rows["noop"].append(run([*louyu, "-d", str(out)], env=env)[0])
        edit_one_broadcast(platform, n)
        rows["edit"].append(run([*louyu, "-d", str(out)], env=env)[0])
        rows["floor"].append(conversion_floor(platform, env))
        # Memory and size: a cold build again, sampled.
        set_aside(out, trash)
        set_aside(work / "cache", trash)
        rows["cold_mem"].append(run([*louyu, "-d", str(out)], env=env, sample=True)[1] / 1024)
        written = du(out)
        # A full rebuild over the output of a build that every key differs from, as after an
        # upgrade of louyu: a Markdown setting added, so every item is converted again and
        # every page made anew, beside the last build's output and record. Sampled.
        config = platform / "mkdocs.yml"
        before = config.read_text("utf-8")
        config.write_text(before + "  - abbr\n", "utf-8")
        rows["over_mem"].append(run([*louyu, "-d", str(out)], env=env, sample=True)[1] / 1024)
        config.write_text(before, "utf-8")
        line = f"run {n + 1}: cold {rows['cold'][-1]:.2f}s  no-op {rows['noop'][-1]:.2f}s  one edit {rows['edit'][-1]:.2f}s  floor {rows['floor'][-1]:.2f}s"
        if projects:
            line = f"run {n + 1}: naive {rows['naive'][-1]:.1f}s  " + line[len(f'run {n + 1}: '):]
            line += f"  cold/naive {rows['cold'][-1] / rows['naive'][-1]:.3f}"
        print(line, flush=True)

    med = {k: statistics.median(v) for k, v in rows.items() if v}
    print(f"\nmedians over {args.runs} runs:")
    if projects:
        ratios = [c / nv for c, nv in zip(rows["cold"], rows["naive"])]
        print(f"  naive (one mkdocs build per station)  {med['naive']:.2f} s   peak {med['naive_mem']:.0f} MiB per process")
        print(f"  louyu cold build                      {med['cold']:.2f} s   ratio to naive {statistics.median(ratios):.3f}  (target <= 0.10)")
    else:
        print(f"  louyu cold build                      {med['cold']:.2f} s")
    print(f"  louyu no-op rebuild                   {med['noop']:.2f} s   (target <= 1 s)")
    edit_ratios = [e / c for e, c in zip(rows["edit"], rows["cold"])]
    print(f"  louyu one edit                        {med['edit']:.2f} s   ratio to cold {statistics.median(edit_ratios):.3f}  (target <= 0.10)")
    floor_ratios = [f / c for f, c in zip(rows["floor"], rows["cold"])]
    print(f"  floor: a fresh Python converting it   {med['floor']:.2f} s   ratio to cold {statistics.median(floor_ratios):.3f}  (no page made or written)")
    print(f"  louyu cold peak memory (sum of PSS)   {med['cold_mem']:.0f} MiB   (target < 300 at 1+10x400, <= 400 at 1+30x4000)")
    over = [o / c for o, c in zip(rows["over_mem"], rows["cold_mem"])]
    print(f"  full rebuild over an older output     {med['over_mem']:.0f} MiB   ratio to cold {statistics.median(over):.2f}  (target <= 1.0)")
    print(f"  louyu output                          {written / 1048576:.1f} MiB   (target < 100)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
