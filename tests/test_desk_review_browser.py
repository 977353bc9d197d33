"""An instructor's whole path on a 375 px phone in Chromium: the invite link, the waiting item,
the change by character, a key made in the browser and registered by the admin, 通过 signed
in the browser, the ledger entry verified by OpenSSH's `ssh-keygen -Y verify`, the next build
publishing it; axe-core finds nothing serious on any desk page. Screenshots for the staff
handbook (docs/img/) are taken on the way."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import item
from desk_review_helpers import CLOCK, DAY, LOCAL, PHOTO_2, SECOND, review_platform, running_desk
from louyu.desk.identity import Secrets
from louyu.review.signatures import NAMESPACE, message_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed"),
]
# The handbook's pictures (docs/desk-review.md) are these pages: `LOUYU_SCREENSHOTS=docs/img
# python -m pytest tests/test_desk_review_browser.py` makes them again; otherwise they are taken
# into a temporary folder (a test run never changes the repository's files).
SHOTS = os.environ.get("LOUYU_SCREENSHOTS", "")
PHONE = {"width": 375, "height": 780}


def _axe() -> Path:
    if os.environ.get("LOUYU_AXE"):
        return Path(os.environ["LOUYU_AXE"])
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.submodule_search_locations, "pip install -e '.[test]' brings axe-core"
    return Path(list(spec.submodule_search_locations)[0]) / "axe.min.js"


def checked(page: object, shot: str | None = None, into: Path | None = None) -> None:
    """axe-core: nothing serious or critical; no horizontal scroll at phone width; a screenshot."""
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")  # type: ignore[attr-defined]
    serious = [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], page.url  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url  # type: ignore[attr-defined]
    if shot and into is not None:
        into.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(into / shot), full_page=True)  # type: ignore[attr-defined]
        assert (into / shot).stat().st_size > 10_000


def test_an_instructor_approves_on_a_phone_with_a_key_held_by_the_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("LOUYU_CLOCK", CLOCK)
    shots = Path(SHOTS).resolve() if SHOTS else tmp_path / "shots"
    p = review_platform(tmp_path / "平台")
    # The admin changes one character of the approved item: 八 → 九.
    p.write(LOCAL, item("骑手驿站开放", "a-admin", date=DAY["LOCAL"],
                        body="骑手驿站每天九点开放。\n\n![驿站](photo.png)\n\n欢迎骑手朋友。"))
    p.write("content/a/news/local/photo.png", PHOTO_2)  # and a new photo under the same name
    p.commit("九点开放")
    with running_desk(p.config) as (base, _desk), sync_playwright() as pw:
        link = f"{base}/signin?t={Secrets(p.root).invite('a-inst').token}"
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # (axe is injected through the browser's own channel: the desk's CSP allows no inline script)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.add_init_script(path=str(_axe()))
        page = context.new_page()
        errors: list[str] = []
        # (axe, injected into every frame, may not run in the sandboxed preview frame: that is the point of the sandbox)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 404" not in m.text
                and "Blocked script execution in 'about:srcdoc'" not in m.text else None)
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(link)
        checked(page, "desk-review-signin.png", shots)
        page.get_by_role("button", name="以 甲指导 的身份登录").click()
        page.wait_for_url(f"{base}/review")
        expect(page.get_by_role("heading", name="待我审核（2）")).to_be_visible()
        expect(page.get_by_role("link", name="待审核（2）")).to_be_visible()
        checked(page, "desk-review-list.png", shots)

        page.get_by_role("link", name="骑手驿站开放").click()
        page.wait_for_url(re.compile(r".*/review/item/content/a/news/local/$"))
        expect(page.locator(".diff del")).to_have_text("八")
        expect(page.locator(".diff ins")).to_have_text("九")
        expect(page.get_by_role("img", name="原图：photo.png")).to_be_visible()
        expect(page.get_by_role("img", name="新图：photo.png")).to_be_visible()
        assert page.evaluate("[...document.querySelectorAll('.pair img')].every(i => i.complete && i.naturalWidth === 48)")
        checked(page, "desk-review-item.png", shots)

        # No key yet: signing is not needed (no key in the station file), but the instructor makes one.
        page.get_by_role("link", name="我的签名密钥").click()
        page.get_by_role("button", name="生成本机密钥").click()
        expect(page.locator("#key-entry")).to_have_value(re.compile(r"valid_after"))
        key_line = page.locator("#key-line").input_value()
        assert key_line.startswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5") and key_line.endswith(" a-inst@louyu-desk")
        entry = page.locator("#key-entry").input_value()
        checked(page, "desk-review-key.png", shots)

        # The admin sees the request and adds the entry to the station file.
        admin = context.browser.new_context(viewport=PHONE)  # type: ignore[union-attr]
        admin.add_init_script(path=str(_axe()))
        admin_page = admin.new_page()
        admin_page.goto(f"{base}/signin?t={Secrets(p.root).invite('a-admin').token}")
        admin_page.get_by_role("button", name="以 甲管理 的身份登录").click()
        admin_page.goto(f"{base}/keys")
        assert admin_page.locator("#entry-a-inst").input_value() == entry
        checked(admin_page, "desk-review-keys-admin.png", shots)
        admin_page.get_by_role("button", name="写入站点文件并提交").click()
        expect(admin_page.get_by_text("已把 a-inst 的公钥写入 stations/a.yml 并提交。")).to_be_visible()
        admin.close()
        assert (p.root / "stations/a.yml").read_text("utf-8").replace(entry, "") == (
            "name: 甲分站\nkind: substation\nstaff:\n  - {id: a-admin, name: 甲管理, role: admin}\n"
        )
        assert p.git("log", "-1", "--format=%an|%s").strip() == "甲管理|登记 甲指导（a-inst）的书桌签名密钥（甲管理，书桌）"

        page.reload()
        expect(page.locator("#key-state")).to_have_text("本机密钥已登记，可以签名审核。")
        page.goto(f"{base}/review/item/content/a/news/local/")
        expect(page.get_by_text("您的决定将用本机浏览器中的密钥签名。")).to_be_visible()
        page.get_by_role("button", name="通过").click()
        page.wait_for_url(re.compile(r".*/review\?done="))
        expect(page.get_by_text("已通过 1 个条目。下次构建网站时生效。")).to_be_visible()
        expect(page.get_by_role("heading", name="待我审核（1）")).to_be_visible()
        checked(page, "desk-review-done.png", shots)
        assert errors == []
        browser.close()

    platform, _ = p.load()
    decision = platform.ledgers[LOCAL][-1]
    assert (decision.decision, decision.by) == ("approved", "a-inst") and decision.signature
    target = platform.item(LOCAL)
    assert target is not None
    (tmp_path / "allowed").write_text(f'a-inst namespaces="{NAMESPACE}" {key_line}\n')
    (tmp_path / "sig").write_text(decision.signature if decision.signature.endswith("\n") else decision.signature + "\n")
    verified = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "allowed"), "-I", "a-inst", "-n", NAMESPACE, "-s", str(tmp_path / "sig")],
        input=message_for(target, decision), capture_output=True,
    )
    assert verified.returncode == 0, verified.stderr
    assert b'Good "louyu-review" signature for a-inst with ED25519 key' in verified.stdout
    assert p.git("log", "-1", "--format=%an").strip() == "甲指导"
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    published = {i["path"]: i["digest"] for i in p.manifest("a")["items"]}
    assert published[LOCAL] == target.digest and SECOND not in published
    assert "九点开放" in (p.site / "a" / "news" / "a" / "local" / "index.html").read_text("utf-8")
