"""Lighthouse's mobile performance score of a station's pages, served as a real server would.

    npm install --prefix .lighthouse lighthouse@12     # once: Lighthouse is a benchmark tool, not a dependency
    python benchmarks/lighthouse.py [--runs 3] [--photo-mb 12]

Builds the example platform with one news item carrying a phone-sized photo (random pixels,
so it does not compress: the worst case for a page), serves the output with gzip for text
(nginx's `gzip on`, which docs/guide.md's example sets), and runs Lighthouse's default mobile
audit (simulated slow 4G and a 4x slower CPU) on Debian's Chromium for the station home and
that item's page. Prints each run's score and the median, and the bytes transferred.
Budget (issue 29): score >= 0.95, first view <= 300 KB.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")


class Gzipping(http.server.SimpleHTTPRequestHandler):
    """Static files, text gzipped when the browser accepts it (as any production server does)."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in TEXT or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        data = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, *args: object) -> None:
        pass


def photo(path: Path, megabytes: float) -> None:
    from PIL import Image

    side = int((megabytes * 1e6 / 3) ** 0.5)
    Image.frombytes("RGB", (side * 4 // 3, side * 3 // 4), os.urandom(side * 4 // 3 * (side * 3 // 4) * 3)).save(path, quality=98)


def lighthouse(binary: Path, url: str, out: Path) -> dict[str, object]:
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    subprocess.run(
        [str(binary), url, "--only-categories=performance", "--output=json", f"--output-path={out}", "--quiet",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        check=True, env=env, timeout=300,
    )
    report = json.loads(out.read_text("utf-8"))
    audits = report["audits"]
    return {
        "score": report["categories"]["performance"]["score"],
        "kb": round(audits["total-byte-weight"]["numericValue"] / 1024),
        "lcp": audits["largest-contentful-paint"]["displayValue"],
        "tbt": audits["total-blocking-time"]["displayValue"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--photo-mb", type=float, default=12)
    args = parser.parse_args()
    binary = ROOT / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        sys.exit("Lighthouse is not installed: npm install --prefix .lighthouse lighthouse@12")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "platform"
        shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", "site", "site-members", ".louyu-cache", ".lighthouse", "*.egg-info"))
        folder = work / "content/jinrong/news/photo-day"
        folder.mkdir(parents=True)
        photo(folder / "photo.jpg", args.photo_mb)
        (folder / "index.md").write_text(
            "---\ntitle: 志愿服务日现场\ndate: 2026-11-20\nauthor: chen-jing\ncover: photo.jpg\nsummary: 一张手机照片\n---\n\n"
            "![志愿服务日现场](photo.jpg)\n\n青年党员走进社区。\n", "utf-8")
        for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "b"]):
            subprocess.run(cmd, cwd=work, check=True)
        louyu = [str(Path(sys.executable).parent / "louyu")]
        subprocess.run([*louyu, "review", "approve", "content/jinrong/news/photo-day/index.md", "--by", "qi-zhenhai"], cwd=work, check=True, capture_output=True)
        subprocess.run([*louyu, "build", "-d", str(Path(tmp) / "site")], cwd=work, check=True, capture_output=True)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Gzipping, directory=str(Path(tmp) / "site")))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/jinrong/"
        pages = {"home": base, "item with a photo": base + "news/jinrong/photo-day/"}
        for name, url in pages.items():
            runs = [lighthouse(binary, url, Path(tmp) / f"r{k}.json") for k in range(args.runs)]
            scores = [float(r["score"]) for r in runs]  # type: ignore[arg-type]
            print(f"{name:18} score median {statistics.median(scores):.2f} (runs {', '.join(f'{s:.2f}' for s in scores)}), "
                  f"{runs[0]['kb']} KB transferred, LCP {runs[0]['lcp']}, TBT {runs[0]['tbt']}")
        server.shutdown()


if __name__ == "__main__":
    main()
