"""Search on a phone: time to the first result, bytes downloaded, and Chinese recall.

    python benchmarks/search.py [--stations 10] [--items 400] [--queries 20] [--recall 300] [--workdir DIR]

Generates the workload (benchmarks/workload.py), builds it with `louyu build`, serves the
output on 127.0.0.1 and opens the central site in Debian's Chromium (Playwright), once per
query in a fresh browser context (nothing cached), as

  desktop   no throttling
  phone     the DevTools protocol's Emulation.setCPUThrottlingRate 4 and
            Network.emulateNetworkConditions: 150 ms latency, 200 KB/s down, 100 KB/s up

It types a word into the header's search box once the page has loaded and times until the
first result is shown; bytes are everything the page downloaded from navigation to that
moment (the page itself included). Words are drawn from the items' own text.

Recall: for `--recall` queries (whole words of 2-4 characters from the segmenter, words at
the end of a longer word, two-word queries, station names) the set the search finds is
compared with a plain substring search of every page's text a reader sees; printed per kind.
Targets: first result <= 2.0 s on the phone and <= 0.5 s unthrottled, <= 1 MB downloaded,
recall >= 98 % for single words.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import random
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

CHROMIUM = "/usr/bin/chromium"
PHONE = {"offline": False, "latency": 150, "downloadThroughput": 200 * 1024, "uploadThroughput": 100 * 1024}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser context closed while a file was on its way: nothing to report


def corpus(root: Path, central: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(location, text a reader sees) of every page of the central site, and the station names."""
    from louyu.pipeline.build import decide_publication, load_checked
    from louyu.render.site import SiteRenderer

    platform, _ = load_checked(root / "mkdocs.yml")
    publication = decide_publication(platform, None, None, False)
    renderer = SiteRenderer(platform, publication)
    site = publication.sites[central]
    pages = []
    for item in site.pages:
        station = platform.stations[item.station].name
        pages.append((item.url, " ".join([item.title, item.summary or "", renderer.content.render(item).text, station, *item.tags])))
    st = platform.stations[central]
    pages.append(("about/", " ".join(filter(None, [f"关于{st.name}", st.description, st.address, st.building, " ".join(st.rooms)]))))
    return pages, sorted(s.name for s in platform.stations.values())


def queries(pages: list[tuple[str, str]], stations: list[str], n: int, rng: random.Random) -> dict[str, list[str]]:
    import rjieba

    words: set[str] = set()
    longer: set[str] = set()
    for _, text in pages[:400]:
        for w in rjieba.cut(text):
            if all("\u4e00" <= c <= "\u9fff" for c in w):
                if 2 <= len(w) <= 4:
                    words.add(w)
                if len(w) >= 4:
                    longer.add(w[-2:])
    single = sorted(words)
    rng.shuffle(single)
    pairs = [f"{a} {b}" for a, b in zip(single[::2], single[1::2])]
    tails = sorted(longer)
    rng.shuffle(tails)
    return {"single words": single[:n], "word ends": tails[: n // 4], "two words": pairs[: n // 4], "station names": stations[: n // 4]}


def truth(pages: list[tuple[str, str]], query: str) -> set[str]:
    parts = query.lower().split()
    return {loc for loc, text in pages if all(p in text.lower() for p in parts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--queries", type=int, default=20, help="timed queries per profile")
    parser.add_argument("--recall", type=int, default=300, help="single-word queries for recall (plus a quarter each of the others)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="louyu-search-", dir=args.workdir))
    try:
        root = generate(work / "platform", args.stations, args.items)
        louyu = Path(sys.executable).parent / "louyu"
        subprocess.run([str(louyu), "build", "-f", str(root / "mkdocs.yml")], check=True, capture_output=True)
        central = next(p.stem for p in (root / "stations").glob("*.yml") if "kind: central" in p.read_text("utf-8"))
        pages, stations = corpus(root, central)
        rng = random.Random(7)
        asked = queries(pages, stations, args.recall, rng)
        server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "site")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/{central}/"
        print(f"workload: 1 central + {args.stations} substations, {len(pages)} pages on the central site")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"])
            for profile in ("desktop", "phone"):
                times, sizes = [], []
                for word in asked["single words"][: args.queries]:
                    t, b = first_result(browser, base, word, profile == "phone")
                    times.append(t)
                    sizes.append(b)
                print(f"{profile:8s} first result: median {statistics.median(times):.2f} s, max {max(times):.2f} s; "
                      f"downloaded from navigation: median {statistics.median(sizes) / 1024:.0f} KB, max {max(sizes) / 1024:.0f} KB"
                      f"   (targets: {'2.0' if profile == 'phone' else '0.5'} s, 1024 KB)")
            page = browser.new_page()
            page.goto(base)
            page.evaluate(f"window.louyuSearchRoot = {base!r}")
            page.add_script_tag(url=base + "assets/louyu/search.js")
            for kind, words in asked.items():
                found_total = expected_total = 0
                for word in words:
                    expected = truth(pages, word)
                    found = set(page.evaluate("q => louyuSearch.search(q)", word))
                    expected_total += len(expected)
                    found_total += len(expected & found)
                share = found_total / expected_total if expected_total else 1.0
                print(f"recall {kind:14s} {share * 100:6.2f} %  ({found_total}/{expected_total} pages, {len(words)} queries)"
                      + ("   (target >= 98 %)" if kind == "single words" else ""))
            browser.close()
        server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def first_result(browser: object, base: str, word: str, phone: bool) -> tuple[float, int]:
    context = browser.new_context(viewport={"width": 390 if phone else 1280, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # What was downloaded before the first result was shown: every request of the page and of
    # its search worker that had finished by then (epoch times on both sides).
    page.add_init_script("""new MutationObserver(() => {
        if (!window.__firstResult && document.querySelector('.md-search-result__item')) window.__firstResult = Date.now();
    }).observe(document, {subtree: true, childList: true});""")
    done: list[tuple[float, int]] = []

    def finished(request: object) -> None:
        try:
            timing = request.timing  # type: ignore[attr-defined]
            sizes = request.sizes()  # type: ignore[attr-defined]
            size = int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
            if sizes["responseBodySize"] == 0 and request.response() is not None:  # type: ignore[attr-defined]
                size += len(request.response().body())  # type: ignore[attr-defined]  # (a worker's script)
        except Exception:  # the context closed meanwhile: after the first result, not counted
            return
        done.append((timing["startTime"] + max(timing["responseEnd"], 0), size))

    page.on("requestfinished", finished)
    if phone:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        cdp.send("Network.emulateNetworkConditions", PHONE)
    page.goto(base, wait_until="load")
    if phone:
        page.click('label.md-header__button[for="__search"]')  # the header's search button
    else:
        page.click(".md-search__input")
    page.wait_for_function("document.activeElement && document.activeElement.matches('.md-search__input')")
    started = time.perf_counter()
    page.keyboard.type(word)
    page.keyboard.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=120_000)
    elapsed = time.perf_counter() - started
    first = page.evaluate("window.__firstResult")
    page.wait_for_timeout(200)  # (events of requests finished just before it)
    size = sum(n for end, n in done if end <= first)
    page.remove_listener("requestfinished", finished)
    context.close()
    return elapsed, size


if __name__ == "__main__":
    main()
