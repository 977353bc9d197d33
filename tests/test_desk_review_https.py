"""Signing needs a secure context: the desk over HTTPS (`louyu desk --cert --key`, the example
docs/desk-review.md gives) signs in and makes keys; the same desk reached over plain HTTP by
a network name says on the page why it cannot sign."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import time_left
from desk_review_helpers import CLOCK, review_platform, running_desk
from louyu.desk.identity import Secrets

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_desk_over_https_with_its_own_certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("LOUYU_CLOCK", CLOCK)
    p = review_platform(tmp_path / "平台")
    cert, key = tmp_path / "desk.crt", tmp_path / "desk.key"
    # As docs/desk-review.md says (a station would use a certificate its browsers trust).
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=desk.station.example",
         "-addext", "subjectAltName=DNS:desk.station.example,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    port = free_port()
    louyu = [sys.executable, "-m", "louyu"]
    desk = subprocess.Popen(
        [*louyu, "desk", "-f", str(p.config), "-a", f"127.0.0.1:{port}", "--cert", str(cert), "--key", str(key)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ},
    )
    try:
        left = time_left(30)
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert desk.poll() is None and left(), desk.stderr.read().decode() if desk.stderr else ""
            time.sleep(0.1)
        link = f"https://127.0.0.1:{port}/signin?t={Secrets(p.root).invite('a-inst').token}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context(ignore_https_errors=True, viewport={"width": 375, "height": 780})
            page = context.new_page()
            page.goto(link)
            page.get_by_role("button", name="以 甲指导 的身份登录").click()
            page.wait_for_url(f"https://127.0.0.1:{port}/review")
            cookie = next(c for c in context.cookies() if c["name"] == "louyu_desk")
            assert (cookie["secure"], cookie["httpOnly"], cookie["sameSite"]) == (True, True, "Strict")
            page.goto(f"https://127.0.0.1:{port}/review/key")
            page.get_by_role("button", name="生成本机密钥").click()
            expect(page.locator("#key-line")).to_have_value(__import__("re").compile(r"^ssh-ed25519 AAAA"))
            assert page.locator("#sig-support").is_hidden()
            browser.close()
    finally:
        desk.terminate()
        desk.wait(10)


def test_over_plain_http_by_a_network_name_the_page_says_why_it_cannot_sign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("LOUYU_CLOCK", CLOCK)
    p = review_platform(tmp_path / "平台")
    with running_desk(p.config, also=("desk.station.test",)) as (base, _), sync_playwright() as pw:
        port = base.rpartition(":")[2]
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--host-resolver-rules=MAP desk.station.test 127.0.0.1"],
        )
        page = browser.new_page(viewport={"width": 375, "height": 780})
        origin = f"http://desk.station.test:{port}"
        page.goto(f"{origin}/signin?t={Secrets(p.root).invite('a-inst').token}")
        page.get_by_role("button", name="以 甲指导 的身份登录").click()
        page.wait_for_url(f"{origin}/review")
        assert page.evaluate("window.isSecureContext") is False
        page.goto(f"{origin}/review/key")
        expect(page.locator("#sig-support")).to_have_text(
            "此页面不是通过 HTTPS 打开的，浏览器不提供签名功能：请用 https:// 开头的书桌地址打开（在书桌所在的电脑上也可用 http://127.0.0.1）。"
        )
        expect(page.locator("#key-state")).to_have_text("无法在此浏览器中生成签名密钥。")
        assert page.get_by_role("button", name="生成本机密钥").is_hidden()
        browser.close()


def test_a_browser_without_ed25519_in_web_crypto_is_told_which_versions_have_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("LOUYU_CLOCK", CLOCK)
    p = review_platform(tmp_path / "平台")
    with running_desk(p.config) as (base, _), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 375, "height": 780})
        # An older browser: Web Crypto without Ed25519 (as Chrome before 137 answers).
        context.add_init_script("""
            const original = crypto.subtle.generateKey.bind(crypto.subtle);
            crypto.subtle.generateKey = (algorithm, ...rest) =>
                (algorithm && algorithm.name === "Ed25519")
                    ? Promise.reject(new DOMException("Algorithm: Unrecognized name", "NotSupportedError"))
                    : original(algorithm, ...rest);
        """)
        page = context.new_page()
        page.goto(f"{base}/signin?t={Secrets(p.root).invite('a-inst').token}")
        page.get_by_role("button", name="以 甲指导 的身份登录").click()
        page.wait_for_url(f"{base}/review")
        page.goto(f"{base}/review/key")
        expect(page.locator("#sig-support")).to_have_text(
            "此浏览器不支持 Ed25519 签名（Web Crypto）：请升级到 Chrome 或 Edge 137、Firefox 129、Safari 17 或更新的版本后再审核。"
        )
        expect(page.locator("#key-state")).to_have_text("无法在此浏览器中生成签名密钥。")
        browser.close()
