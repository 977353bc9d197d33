"""The desk's browser-held keys (louyu/desk/static/sshsig.js): Web Crypto's Ed25519 in
Debian's Chromium signs louyu's signed message as an OpenSSH SSHSIG that OpenSSH's own
`ssh-keygen -Y verify` and louyu's verification accept; a tampered message fails; the
private key cannot be exported and survives a reload (IndexedDB)."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

import louyu
from louyu.review.signatures import NAMESPACE, signed_message, verify

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed"),
]
STATIC = Path(louyu.__file__).parent / "desk" / "static"
PAGE = b"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>sshsig</title>
<script type="module">import * as s from "/sshsig.js"; window.sshsig = s;</script></head><body></body></html>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("sshsig")
    shutil.copy(STATIC / "sshsig.js", root / "sshsig.js")
    (root / "index.html").write_bytes(PAGE)
    handler = lambda *a, **k: _Quiet(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # "localhost" is a secure context (Web Crypto exists there), as HTTPS is.
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def page(origin: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page()
        pg.goto(origin)
        pg.wait_for_function("window.sshsig !== undefined")
        yield pg
        browser.close()


def _ssh_verify(tmp: Path, message: bytes, signature: str, signer: str, key_line: str) -> subprocess.CompletedProcess[bytes]:
    (tmp / "allowed").write_text(f'{signer} namespaces="{NAMESPACE}" {key_line}\n', "utf-8")
    (tmp / "sig").write_text(signature, "ascii")
    return subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(tmp / "allowed"), "-I", signer, "-n", NAMESPACE, "-s", str(tmp / "sig")],
        input=message, capture_output=True,
    )


def test_a_browser_signature_verifies_with_openssh_and_louyu(page: object, tmp_path: Path) -> None:
    message = signed_message("content/a/news/骑手驿站.md", "approved", "sha256:" + "ab" * 32, "a-inst", "2026-12-01T10:00:00+08:00")
    assert page.evaluate("sshsig.supported()")  # type: ignore[attr-defined]
    key_line, signature = page.evaluate(  # type: ignore[attr-defined]
        """async (msg) => {
            const pair = await sshsig.createKey("a-inst");
            return [await sshsig.publicKeyLine(pair, "a-inst@louyu-desk"), await sshsig.sign(pair, msg)];
        }""",
        message.decode("utf-8"),
    )
    assert key_line.startswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA") and key_line.endswith(" a-inst@louyu-desk")
    assert signature.startswith("-----BEGIN SSH SIGNATURE-----\n") and signature.endswith("-----END SSH SIGNATURE-----\n")
    assert all(len(line) <= 70 for line in signature.splitlines())
    good = _ssh_verify(tmp_path, message, signature, "a-inst", key_line)
    assert good.returncode == 0, good.stderr
    assert b'Good "louyu-review" signature for a-inst with ED25519 key' in good.stdout
    assert verify(message, signature, "a-inst", key_line)
    # Tampered: another decision, another digest, another namespace.
    for other in (
        message.replace(b"approved", b"rejected"),
        message.replace(b"ab" * 32, b"ac" * 32),
    ):
        assert _ssh_verify(tmp_path, other, signature, "a-inst", key_line).returncode != 0
        assert not verify(other, signature, "a-inst", key_line)
    elsewhere = page.evaluate(  # type: ignore[attr-defined]
        "async (msg) => sshsig.sign(await sshsig.loadKey('a-inst'), msg, 'git')", message.decode("utf-8")
    )
    assert not verify(message, elsewhere, "a-inst", key_line)


def test_the_key_stays_in_the_browser_across_reloads_and_cannot_be_exported(page: object, origin: str) -> None:
    first = page.evaluate("async () => sshsig.publicKeyLine(await sshsig.createKey('hq-inst'))")  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    page.wait_for_function("window.sshsig !== undefined")  # type: ignore[attr-defined]
    again = page.evaluate("async () => sshsig.publicKeyLine(await sshsig.loadKey('hq-inst'))")  # type: ignore[attr-defined]
    assert again == first
    refused = page.evaluate(  # type: ignore[attr-defined]
        """async () => {
            const pair = await sshsig.loadKey('hq-inst');
            try { await crypto.subtle.exportKey('pkcs8', pair.privateKey); return 'exported'; }
            catch (e) { return e.name; }
        }"""
    )
    assert refused == "InvalidAccessError"
    assert page.evaluate("async () => (await sshsig.loadKey('nobody')) === null")  # type: ignore[attr-defined]
    page.evaluate("async () => sshsig.forgetKey('hq-inst')")  # type: ignore[attr-defined]
    assert page.evaluate("async () => (await sshsig.loadKey('hq-inst')) === null")  # type: ignore[attr-defined]
