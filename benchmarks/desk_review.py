"""The instructors' desk at the size platforms reach: what waits, an item's changes, a decision.

    python benchmarks/desk_review.py [--stations 30] [--items 4000] [--changed 60] [--runs 5] [--dir DIR]

Makes the platform with benchmarks/workload.py (unless --dir holds one; every item approved),
builds it once, then edits --changed items across the stations (one character each, committed)
so that they wait for a new approval, starts a real desk and times over HTTP: the central
instructor's waiting list (every station's), a changed item's page (its approved revision
read from git history, the character-level difference, the preview), and an approval
(checked by the gate, appended, committed). Prints the median of --runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))

from desk import arguments, built_workload, timed  # noqa: E402
from desk_helpers import Client, running_desk  # noqa: E402
from louyu.platform.loader import load_platform  # noqa: E402


def main() -> None:
    args = arguments(__doc__, ("--changed", 60))
    folder, config = built_workload(args, "louyu-review-bench-")
    platform, _ = load_platform(config)
    items = sorted(platform.items, key=lambda i: i.path)
    changed = items[:: max(1, len(items) // args.changed)][: args.changed]
    for item in changed:  # one character more in each: a new revision waiting for approval
        md = folder / item.path
        md.write_bytes(md.read_bytes().rstrip(b"\n") + "改。\n".encode())
    git = ["git", "-C", str(folder)]
    subprocess.run([*git, "add", "-A", "content"], check=True)
    subprocess.run([*git, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-qm", "edits"], check=True)
    central = next(p for p in platform.central.staff if p.role == "instructor")
    target = next(i for i in changed if i.author != central.id)
    key = target.path.removesuffix("/index.md").removesuffix(".md")
    started = time.perf_counter()
    with running_desk(config) as (desk, port):
        print(f"desk started: {time.perf_counter() - started:.2f} s, {len(desk.platform.items)} items")
        c = Client(port).sign_in(folder, central.id)
        started = time.perf_counter()
        first = c.get("/review")
        ms_first = (time.perf_counter() - started) * 1000
        assert first.status == 200 and f"待我审核（{len(changed)}）" in first.text, first.text[:500]
        ms_list = timed(args.runs, lambda: c.get("/review"))
        started = time.perf_counter()
        c.get(f"/review/item/{key}/")
        ms_item_first = (time.perf_counter() - started) * 1000
        ms_item = timed(args.runs, lambda: c.get(f"/review/item/{key}/"))
        decisions = []
        for item in [i for i in changed if i.author != central.id][: args.runs]:
            fresh = desk.platform.item(item.path)
            assert fresh is not None
            started = time.perf_counter()
            r = c.post_form("/review/decide", {"decision": "approved", "note": "", "item": f"{fresh.path} {fresh.digest}"})
            decisions.append(time.perf_counter() - started)
            assert r.status == 303, r.text[:1000]
        ms_decide = statistics.median(decisions) * 1000
    print(f"{len(platform.items)} items, {len(platform.stations)} stations, {len(changed)} waiting")
    print(f"waiting list, central instructor: {ms_list:.0f} ms; first visit {ms_first:.0f} ms")
    print(f"a changed item's page: {ms_item:.0f} ms; first visit (approved revision from git) {ms_item_first:.0f} ms")
    print(f"an approval (gate, ledger, git commit): {ms_decide:.0f} ms")


if __name__ == "__main__":
    main()
