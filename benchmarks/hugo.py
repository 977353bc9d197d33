"""louyu against Hugo on the same pages (issue 30: "faster than Hugo by half").

    python benchmarks/hugo.py [--stations 10] [--items 400] [--runs 5] [--edits 3] [--workdir DIR]

Needs a `hugo` on PATH (Debian's package: `apt-get install hugo`; for this benchmark only,
never in CI or the tests). Generates the workload (benchmarks/workload.py), builds it once
with louyu to learn what each station publishes, then writes one Hugo site per station
holding exactly those item files (the same Markdown and front matter, at the same URLs)
with minimal templates: a base page with the sections' links, an item page (title, date,
summary, body), paginated section lists and a home page of the latest items. Taxonomies
are off (louyu makes no tag pages). Each run, in turn (the order of the two tools swapped
every other run, so neither always follows the other):

  hugo      `hugo` for each of the 11 sites in turn, each into an output set aside first
  cold      `louyu build` with no cache and no output
  no-op     `louyu build` again, nothing changed
  one edit  a central broadcast edited and approved (untimed), then `louyu build`
  preview   `louyu serve` started (untimed), one edit saved to warm it, then `--edits`
            saves of a central broadcast, each timed from the save to serve's line
            saying the preview is rebuilt (its debounce included); each followed by a
            save of a substation's own item, timed alike (the other stations unchanged)

and prints each run, then medians with ranges (min-max) and the ratios to Hugo's build
taken within each run. Beside wall time it reports CPU time (user + system, over the whole
process tree): on a machine shared with other work wall time varies 2x from one minute to
the next, CPU time much less. As in bench.py, the disk is synced before each timed command
and old outputs are moved aside, not deleted, until the end; `louyu serve` gets a temporary
folder inside the benchmark's own (older versions left their preview behind on SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import edit_one_broadcast, run, set_aside, tool  # noqa: E402
from workload import generate  # noqa: E402

HUGO_CONFIG = """\
baseURL = "https://bench.example.cn/{station}/"
title = "{title}"
languageCode = "zh-cn"
hasCJKLanguage = true
paginate = {per_page}
disableKinds = ["taxonomy", "term"]
[markup.goldmark.renderer]
unsafe = false
"""

BASEOF = """\
<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title></head>
<body>
<nav><a href="{{ "/" | relURL }}">首页</a>{{ range .Site.Sections }} <a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""

SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1><p><time>{{ .Date.Format "2006-01-02" }}</time></p>
{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}{{ .Content }}</article>{{ end }}
"""

LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range (.Paginate .RegularPagesRecursive).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}{{ end }}
"""

HOME = """\
{{ define "main" }}<h1>{{ .Site.Title }}</h1>
<ul>{{ range first 10 .Site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ul>{{ end }}
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of a command; CPU is user + system of it and everything it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(cmd, env=env)[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def make_hugo_sites(platform: Path, site: Path, into: Path, per_page: int = 20) -> list[Path]:
    """One Hugo site per station with that station's published items at louyu's URLs."""
    sites = []
    for manifest in sorted(site.glob("*/manifest.json")):
        data = json.loads(manifest.read_text("utf-8"))
        root = into / data["station"]
        for rel, text in {
            "layouts/_default/baseof.html": BASEOF, "layouts/_default/single.html": SINGLE,
            "layouts/_default/list.html": LIST, "layouts/index.html": HOME,
        }.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, "utf-8")
        for entry in data["items"]:
            dest = root / "content" / f"{entry['url'].rstrip('/')}.md"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(platform / entry["path"], dest)
        (root / "hugo.toml").write_text(HUGO_CONFIG.format(station=data["station"], title=data["station"], per_page=per_page), "utf-8")
        sites.append(root)
    return sites


class Serve:
    """`louyu serve` in the background; the times at which it printed each line."""

    def __init__(self, config: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [tool("louyu"), "serve", "-f", str(config), "-a", "127.0.0.1:0"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.lines: "queue.Queue[tuple[float, str]]" = queue.Queue()
        assert self.proc.stderr is not None
        stderr = self.proc.stderr

        def read() -> None:
            for line in stderr:
                self.lines.put((time.perf_counter(), line))

        threading.Thread(target=read, daemon=True).start()

    def wait_for(self, text: str, after: float = 0.0, timeout: float = 120.0) -> float:
        deadline = time.monotonic() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise SystemExit(f"louyu serve said no '{text}' within {timeout} s") from None
            if "构建失败" in line or "内部错误" in line:
                raise SystemExit(f"louyu serve: {line}")
            if text in line and at >= after:
                return at

    def stop(self) -> None:
        """Ends serve, and waits until its preview folder is gone: a large one is removed in
        the background after serve has ended, and the next command timed would pay for it."""
        self.proc.send_signal(signal.SIGTERM)  # (and its preview folder goes with it)
        try:
            self.proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        while True:
            try:
                _, line = self.lines.get(timeout=1)  # (what it printed as it ended)
            except queue.Empty:
                break
            if "在后台删除：" in line:
                folder = Path(line.rsplit("在后台删除：", 1)[1].strip())
                deadline = time.monotonic() + 600
                while folder.exists() and time.monotonic() < deadline:
                    time.sleep(0.5)


def save_edit(target: Path, n: int) -> float:
    """Save an edit the way an editor does (the whole file written again); when it started."""
    text = target.read_text("utf-8")
    started = time.perf_counter()
    target.write_text(text + f"\n\n预览第 {n} 次修改。\n", "utf-8")
    return started


def preview_times(config: Path, env: dict[str, str], targets: list[Path], edits: int, run_no: int) -> list[list[float]]:
    """For each target, the times from a save to the rebuilt preview; the targets saved in turn."""
    serve = Serve(config, env)
    try:
        serve.wait_for("预览地址")
        times: list[list[float]] = [[] for _ in targets]
        for k in range(edits + 1):  # the first warms the process (imports, the incremental path)
            for found, target in zip(times, targets):
                time.sleep(1.0)  # (watchdog settled, nothing else pending)
                os.sync()
                started = save_edit(target, run_no * 100 + k)
                done = serve.wait_for("已重新构建预览", after=started)
                if k:
                    found.append(done - started)
        return times
    finally:
        serve.stop()


def spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description="louyu against Hugo on the same pages")
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=3, help="timed preview rebuilds per run")
    parser.add_argument("--workdir", type=Path, default=Path.cwd())
    args = parser.parse_args()
    hugo = shutil.which("hugo")
    if hugo is None:
        raise SystemExit("hugo is not installed (Debian: apt-get install hugo)")
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()

    args.workdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".louyu-hugo-", dir=args.workdir))
    platform = generate(work / "platform", args.stations, args.items)
    config = platform / "mkdocs.yml"
    env = {**os.environ, "LOUYU_CACHE_DIR": str(work / "cache")}
    env.pop("LOUYU_JOBS", None)
    (work / "tmp").mkdir()
    serve_env = {**env, "TMPDIR": str(work / "tmp")}
    louyu = [tool("louyu"), "build", "-f", str(config)]
    out = work / "site"
    subprocess.run([*louyu, "-d", str(out)], check=True, capture_output=True, env=env)
    sites = make_hugo_sites(platform, out, work / "hugo")
    pages = sum(len(json.loads(m.read_text("utf-8"))["items"]) for m in out.glob("*/manifest.json"))
    for s in sites:  # once untimed: Hugo and the disk warmed alike for both tools
        subprocess.run([hugo, "--quiet", "-s", str(s)], check=True, capture_output=True)
    hugo_pages = sum(1 for s in sites for _ in (s / "public").rglob("index.html"))
    print(f"workload: 1 central + {args.stations} substations, {args.items} items, {pages} item pages; "
          f"Hugo made {hugo_pages} pages in {len(sites)} sites; {os.cpu_count()} cores; {version}", flush=True)

    preview_target = sorted((platform / "content" / "central" / "news").glob("*.md"))[1]
    # (and a substation's own item: the other stations' sites are as they were)
    own_target = sorted(p for p in (platform / "content").glob("*/*/*.md") if p.parts[-3] != "central")[0]
    trash = work / "trash"
    rows: dict[str, list[float]] = {k: [] for k in ("hugo", "cold", "noop", "edit", "hugo_cpu", "cold_cpu", "edit_cpu")}
    previews: list[float] = []
    own_previews: list[float] = []

    def time_hugo() -> None:
        total = cpu = 0.0
        for s in sites:
            set_aside(s / "public", trash)
            wall, used = timed([hugo, "--quiet", "-s", str(s)])
            total += wall
            cpu += used
        rows["hugo"].append(total)
        rows["hugo_cpu"].append(cpu)

    def time_louyu(n: int) -> None:
        set_aside(out, trash)
        set_aside(work / "cache", trash)
        wall, cpu = timed([*louyu, "-d", str(out)], env=env)
        rows["cold"].append(wall)
        rows["cold_cpu"].append(cpu)
        rows["noop"].append(run([*louyu, "-d", str(out)], env=env)[0])
        edit_one_broadcast(platform, n)
        wall, cpu = timed([*louyu, "-d", str(out)], env=env)
        rows["edit"].append(wall)
        rows["edit_cpu"].append(cpu)

    for n in range(args.runs):
        if n % 2:
            time_louyu(n)
            time_hugo()
        else:
            time_hugo()
            time_louyu(n)
        times, own_times = preview_times(config, serve_env, [preview_target, own_target], args.edits, n)
        previews += times
        own_previews += own_times
        print(
            f"run {n + 1}: hugo {rows['hugo'][-1]:.2f}s  louyu cold {rows['cold'][-1]:.2f}s ({rows['cold'][-1] / rows['hugo'][-1]:.2f})"
            f"  no-op {rows['noop'][-1]:.2f}s  one edit {rows['edit'][-1]:.2f}s ({rows['edit'][-1] / rows['hugo'][-1]:.3f})"
            f"  preview {' '.join(f'{t:.2f}' for t in times)}s, own item {' '.join(f'{t:.2f}' for t in own_times)}s"
            f"  | CPU: hugo {rows['hugo_cpu'][-1]:.2f}s cold {rows['cold_cpu'][-1]:.2f}s one edit {rows['edit_cpu'][-1]:.2f}s",
            flush=True,
        )

    cold = [c / h for c, h in zip(rows["cold"], rows["hugo"])]
    edit = [e / h for e, h in zip(rows["edit"], rows["hugo"])]
    print(f"\nmedians (min-max) over {args.runs} runs, ratios taken within each run:")
    print(f"  {f'Hugo, {len(sites)} sites in turn':34}{spread(rows['hugo'])} s")
    print(f"  louyu cold build                  {spread(rows['cold'])} s   = {spread(cold)} of Hugo  (target <= 0.5)")
    print(f"  louyu one edit, approved, rebuilt {spread(rows['edit'])} s   = {spread(edit, 3)} of Hugo  (target <= 0.15)")
    print(f"  louyu no-op                       {spread(rows['noop'])} s   (target <= 0.15 s)")
    print(f"  louyu serve: save -> preview      {spread(previews)} s   over {len(previews)} saves of a central broadcast (target <= 0.3 s)")
    print(f"    the same, a substation's item   {spread(own_previews)} s   over {len(own_previews)} saves")
    cold_cpu = [c / h for c, h in zip(rows["cold_cpu"], rows["hugo_cpu"])]
    print(f"  CPU time: Hugo {spread(rows['hugo_cpu'])} s, louyu cold {spread(rows['cold_cpu'])} s = {spread(cold_cpu)} of Hugo,"
          f" one edit {spread(rows['edit_cpu'])} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
