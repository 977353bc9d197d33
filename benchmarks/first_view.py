"""What a phone transfers for its first view of a station home and of an item page whose
cover is a 12 MB photo (issue 29's budget: ≤ 300 KB).

    python benchmarks/first_view.py

Builds a small platform (the example's stations, one news item with a phone photo as cover
and in its body), opens both pages in Chromium at 375 × 667 (device scale 2) with an empty
cache, and sums what the page loaded before it was idle: as served (bytes on the wire from a
plain static server) and as a server that compresses text (gzip level 6, what nginx's
`gzip on` does) would send it. Lighthouse itself is not vendored: its performance score is
not measured here.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "generator"))

from workload import phone_photo  # noqa: E402

COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def platform(root: Path) -> Path:
    for folder in ("stations", "theme"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    bundle = root / "content/zongzhan/news/photo-news"
    bundle.mkdir(parents=True)
    photo = phone_photo(7)
    while len(photo) < 12 * 2**20:  # a 12 MB photo, as phones make them
        photo += b"\0" * (12 * 2**20 - len(photo))  # (JPEG readers ignore what follows the image)
    (bundle / "photo.jpg").write_bytes(photo)
    (bundle / "index.md").write_text(
        "---\ntitle: 楼宇党建活动现场\ndate: 2026-11-30\nauthor: li-yan\ncover: photo.jpg\nsummary: 活动现场照片。\n---\n\n"
        + "活动现场。" * 40 + "\n\n![活动现场](photo.jpg)\n\n" + "党员群众共同参加。" * 60 + "\n",
        "utf-8",
    )
    from louyu.platform.loader import load_platform
    from louyu.review.ledger import append_entry

    loaded, problems = load_platform(root / "mkdocs.yml")
    assert not problems.errors, problems.errors
    item = loaded.items[0]
    append_entry(root / item.ledger_path, {"decision": "approved", "digest": item.digest, "by": "wang-huabin", "at": "2026-11-30T10:00:00+08:00"})
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.email=b@example.cn", "-c", "user.name=b", "commit", "-qm", "p"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def main() -> None:
    from playwright.sync_api import sync_playwright

    from louyu.pipeline.build import build

    with tempfile.TemporaryDirectory() as tmp:
        root = platform(Path(tmp) / "p")
        build(root / "mkdocs.yml", root / "site")
        site = root / "site"
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for url in ("zongzhan/", "zongzhan/news/zongzhan/photo-news/"):
                page = browser.new_page(viewport={"width": 375, "height": 667}, device_scale_factor=2)
                loaded: list[str] = []
                page.on("requestfinished", lambda r: loaded.append(r.url))
                page.goto(base + url, wait_until="networkidle")
                raw = wire = 0
                for address in loaded:
                    rel = address[len(base):].split("?")[0]
                    path = site / rel / "index.html" if rel.endswith("/") or not rel else site / rel
                    data = path.read_bytes()
                    sent = len(gzip.compress(data, 6)) if path.suffix in COMPRESSED else len(data)
                    raw += len(data)
                    wire += sent
                    if "-v" in sys.argv:
                        print(f"  {sent / 1024:6.0f} KB  {rel}")
                print(f"{url}: {len(loaded)} requests, {raw / 1024:.0f} KB as served, {wire / 1024:.0f} KB compressed (budget 300 KB)")
                page.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
