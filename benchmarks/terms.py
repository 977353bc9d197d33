"""What checking a platform's word lists (错敏词, terms/*.yml) costs, at a platform's size after years.

    python benchmarks/terms.py [--stations 30] [--items 4000] [--entries 2000] [--runs 5] [--workdir DIR]

Generates the workload (benchmarks/workload.py) and a list of `--entries` entries (half
wrong forms with their right forms, half banned words; some of them occur in the items,
some are right forms holding a wrong form), then times, median of `--runs`, in-process:
  - loading the platform without the list (every item parsed afresh: the baseline, this run);
  - loading it with the list (the same, plus every item checked);
  - the check alone: every item's title, summary, tags and body as a reader sees it,
    looked up in the list (what the list adds to `louyu check` and a cold build).
Target: the check alone <= 1 s at 4,000 items x 2,000 entries.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "generator"))

from workload import WORDS, generate  # noqa: E402

CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def word_list(entries: int, seed: int = 7) -> str:
    """YAML of `entries` entries: wrong/right pairs and banned words, some found in the items."""
    rng = random.Random(seed)
    lines = []
    used: set[str] = set()
    while len(used) < entries:
        i = len(used)
        if i % 10 == 0:  # words the workload's items hold: findings to report
            form = rng.choice(WORDS) + rng.choice(WORDS)
        else:
            form = "".join(rng.choice(CJK) for _ in range(rng.randint(2, 6)))
        if form in used:
            continue
        used.add(form)
        if i % 2 == 0:
            right = form + rng.choice(CJK) if i % 20 == 0 else "".join(rng.choice(CJK) for _ in range(4))
            lines += [f"- wrong: {form}", f"  right: {right}", "  level: warning", "  note: 基准测试"]
        else:
            lines += [f"- banned: {form}", "  level: warning"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=30)
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from louyu.platform.loader import load_platform
    from louyu.platform.terms import load_terms
    from louyu.platform.problems import Problems
    from louyu.platform.visible import seen_in_markdown, seen_in_text

    work = Path(tempfile.mkdtemp(prefix="louyu-terms-", dir=args.workdir))
    try:
        root = generate(work / "platform", args.stations, args.items)
        config = root / "mkdocs.yml"
        plain, checked, alone = [], [], []
        for _ in range(args.runs):
            shutil.rmtree(root / "terms", ignore_errors=True)
            t0 = time.perf_counter()
            platform, _ = load_platform(config)
            plain.append(time.perf_counter() - t0)

            (root / "terms").mkdir()
            (root / "terms" / "bench.yml").write_text(word_list(args.entries), "utf-8")
            t0 = time.perf_counter()
            with_list, problems = load_platform(config)
            checked.append(time.perf_counter() - t0)

            terms = load_terms(root, Problems())
            t0 = time.perf_counter()
            hits = 0
            for item in platform.items:
                for text in (item.title, item.summary or "", *item.tags):
                    hits += len(terms.find(seen_in_text(text)))
                hits += len(terms.find(seen_in_markdown(item.body, item.body_line)))
            alone.append(time.perf_counter() - t0)
        findings = sum(len(i.findings) for i in with_list.items)
        assert findings == hits, (findings, hits)  # the loader found what the check alone found
        base, full, check = (statistics.median(v) for v in (plain, checked, alone))
        print(f"workload: 1 central + {args.stations} substations, {len(platform.items)} items, {len(terms)} list entries, "
              f"{findings} findings in {sum(1 for i in with_list.items if i.findings)} items")
        print(f"medians over {args.runs} runs:")
        print(f"  load, every item parsed, no list (baseline)  {base:.3f} s")
        print(f"  load, every item parsed and checked          {full:.3f} s   ratio {full / base:.2f}")
        print(f"  the check alone                              {check:.3f} s   ratio to baseline {check / base:.2f}   (target <= 1 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
