"""What the central site's report (站点运行情况) adds to a build, at a platform's size after years.

    python benchmarks/report.py [--stations 30] [--items 4000] [--runs 5] [--workdir DIR]

Generates the workload (benchmarks/workload.py), builds it once cold (`louyu build`, the
baseline, timed in this run), then times in-process, median of `--runs`, all the report
costs a build: its figures (build_report, the waiting items' last commits included), the
page (context, template, Material's page shell) and the spreadsheet. Prints the seconds,
their ratio to the cold build, and the sizes of the page and the CSV.
Targets: the report adds <= 1 s; its page stays under 300 KB.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=30)
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from louyu.outputs.report import build_report
    from louyu.outputs.report_formats import as_csv
    from louyu.pipeline.build import decide_publication, load_checked
    from louyu.render.site import SiteRenderer

    work = Path(tempfile.mkdtemp(prefix="louyu-report-", dir=args.workdir))
    try:
        root = generate(work / "platform", args.stations, args.items)
        louyu = Path(sys.executable).parent / "louyu"
        started = time.perf_counter()
        subprocess.run([str(louyu), "build", "-f", str(root / "mkdocs.yml")], check=True, capture_output=True)
        cold = time.perf_counter() - started
        central = next(p.stem for p in (root / "stations").glob("*.yml") if "kind: central" in p.read_text("utf-8"))
        page_bytes = (root / "site" / central / "report" / "index.html").stat().st_size
        csv_bytes = (root / "site" / central / "report" / "report.csv").stat().st_size

        platform, _ = load_checked(root / "mkdocs.yml")
        publication = decide_publication(platform, None, None, False)
        figures, page, table = [], [], []
        for _ in range(args.runs):
            renderer = SiteRenderer(platform, publication)  # nothing remembered: every run from scratch
            t0 = time.perf_counter()
            reports = build_report(platform, publication)
            t1 = time.perf_counter()
            out = next(o for o in renderer.station_outputs(publication.sites[central]) if o.path.endswith("report/index.html"))
            out.make()
            t2 = time.perf_counter()
            as_csv(reports, publication.today)
            t3 = time.perf_counter()
            figures.append(t1 - t0)
            page.append(t2 - t1)  # (the page builds the figures again, through the renderer)
            table.append(t3 - t2)
        total = statistics.median(figures) + statistics.median(page) + statistics.median(table)
        n_items = len(platform.items)
        print(f"workload: 1 central + {args.stations} substations, {n_items} items; cold build {cold:.2f} s (baseline, this run)")
        print(f"medians over {args.runs} runs:")
        print(f"  figures (build_report)                {statistics.median(figures):.3f} s")
        print(f"  report page (figures, context, page)  {statistics.median(page):.3f} s")
        print(f"  spreadsheet (CSV)                     {statistics.median(table):.3f} s")
        print(f"  the report adds at most               {total:.3f} s   ratio to cold {total / cold:.3f}   (target <= 1 s)")
        print(f"  report page                           {page_bytes / 1024:.0f} KB   (target < 300 KB)")
        print(f"  report.csv                            {csv_bytes / 1024:.0f} KB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
