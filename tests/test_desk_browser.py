"""The admin's whole path in Chromium, at 1280 and 375 px: the invite link, a news item with a
photo and a PDF, a problem shown next to its field, fixed, saved, and the commit it made."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from conftest import PlatformHandle
from desk_helpers import running_desk
from louyu.desk.identity import Secrets

from test_browser import AXE, CHROMIUM, playwright  # noqa: F401 - (skips the module without Chromium)

expect = playwright.expect

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\xb7\x1c\x1c" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def serious(page: object) -> list[str]:
    page.evaluate(AXE.read_text("utf-8"))  # type: ignore[attr-defined]  # (evaluate: the desk's CSP forbids inline scripts)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")  # type: ignore[attr-defined]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


# The staff handbook's pictures (docs/handbook-zh.md): written where LOUYU_SCREENSHOTS points
# (`LOUYU_SCREENSHOTS=docs/img python -m pytest tests/test_desk_browser.py` renews them), else
# into the test's own folder; taken at phone width, where the staff use the desk.
SHOTS = os.environ.get("LOUYU_SCREENSHOTS", "")


def shot(page: object, name: str, width: int, into: Path) -> None:
    if width != 375:
        return
    into.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(into / name), full_page=True)  # type: ignore[attr-defined]
    assert (into / name).stat().st_size > 10_000  # a blank page is a few KB


def fits_the_phone(page: object, width: int) -> list[str]:
    """No horizontal scroll; every visible button, link and field at least 44 px high (a checkbox
    is tapped on its whole label)."""
    wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    small = page.evaluate("""() => [...document.querySelectorAll('button, a.button, .top a, .row .title, input:not([type=hidden]):not([type=checkbox]):not(.visually-hidden), select, label.button, label.check')]
        .filter(e => e.offsetParent !== null).filter(e => e.getBoundingClientRect().height < 43.5)
        .map(e => e.outerHTML.slice(0, 80))""")  # type: ignore[attr-defined]
    return ([f"scrolls sideways: {wide} > {width}"] if wide > width else []) + small


@pytest.mark.parametrize("width", [1280, 375])
def test_an_admin_writes_a_news_item_with_a_photo_and_a_pdf(platform: PlatformHandle, tmp_path: Path, width: int) -> None:
    shots = Path(SHOTS).resolve() if SHOTS else tmp_path / "shots"
    photo, pdf = tmp_path / "活动照片.png", tmp_path / "活动通知.pdf"
    photo.write_bytes(png())
    pdf.write_bytes(b"%PDF-1.4\n% louyu test\n")
    with running_desk(platform.config) as (desk, port), playwright.sync_playwright() as p:
        base = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": 800})
        outside: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "about:", "data:")) else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda r: errors.append(f"{r.status} {r.url} {r.frame.url}") if r.status >= 400 else None)

        page.goto(f"{base}/signin?t={Secrets(platform.root).invite('a-admin').token}")
        page.get_by_role("button", name="以 甲管理 的身份登录").click()
        page.wait_for_url(f"{base}/items")
        assert "甲分站本地新闻" in page.inner_text("main")
        assert serious(page) == [] and fits_the_phone(page, width) == []
        shot(page, "desk-admin-items.png", width, shots)

        page.get_by_role("link", name="新建条目").click()
        page.get_by_label("标题").fill("社区志愿服务日")
        expect(page.locator("#n-name")).to_have_value("shequ-zhiyuan-fuwu-ri")
        page.get_by_role("button", name="开始编写").click()
        page.wait_for_url(f"{base}/edit/content/a/news/shequ-zhiyuan-fuwu-ri?title=*")

        page.set_input_files("#file-input", [str(photo), str(pdf)])
        expect(page.locator("#upload-status")).to_contain_text("已上传：活动照片.png、活动通知.pdf")
        assert "![活动照片](" in page.input_value("#body")
        page.locator("#body").press("End")
        page.locator("#body").type("\n今天上午，志愿者走进社区。")
        page.fill("#f-expires", "2020-01-01")  # before the date: check says so, next to the field
        expect(page.locator("#p-expires")).to_contain_text("expires 早于发布日期 date")
        frame = page.frame_locator("#preview")
        expect(frame.locator("body")).to_contain_text("有错误")
        assert serious(page) == [] and fits_the_phone(page, width) == []
        shot(page, "desk-admin-problem.png", width, shots)

        page.fill("#f-expires", "")
        expect(page.locator("#p-expires")).to_have_text("")
        expect(frame.locator("article")).to_contain_text("志愿者走进社区")
        assert frame.locator("h1").inner_text() == "社区志愿服务日"
        expect(frame.locator("img")).to_have_js_property("naturalWidth", 4)  # the photo, from the bundle
        page.get_by_role("button", name="保存").click()
        expect(page.locator("main")).to_contain_text("已保存（git 提交")
        shot(page, "desk-admin-saved.png", width, shots)
        assert outside == [], outside
        # (each failed load is also a console "Failed to load resource": the responses name them)
        assert [e for e in errors if "favicon.ico" not in e and not e.startswith("Failed to load resource")] == [], errors
        browser.close()

    log = platform.git("-c", "core.quotepath=off", "show", "--name-only", "--format=%an <%ae>", "HEAD").split("\n")
    assert log[0] == "甲管理 <a-admin@louyu.invalid>"
    folder = "content/a/news/shequ-zhiyuan-fuwu-ri"
    assert sorted(f for f in log[1:] if f) == [f"{folder}/index.md", f"{folder}/活动照片.png", f"{folder}/活动通知.pdf"]
    loaded, problems = platform.load()
    saved = loaded.item(f"{folder}/index.md")
    assert not problems.errors and saved is not None
    assert saved.attachments == ["活动通知.pdf"] and "志愿者走进社区" in saved.body and saved.author == "a-admin"


ELDER_SIZES = """() => {
  const px = (e, p) => parseFloat(getComputedStyle(e)[p]);
  const text = document.querySelector('main p, main .row, main li');
  const targets = [...document.querySelectorAll('button, a.button, .top a, .row .title, input:not([type=hidden]):not([type=checkbox]):not(.visually-hidden), select, label.check')]
    .filter(e => e.offsetParent !== null);
  return {font: px(text, 'fontSize'), line: px(text, 'lineHeight') / px(text, 'fontSize'),
          smallest: Math.min(...targets.map(e => e.getBoundingClientRect().height)),
          wide: document.documentElement.scrollWidth};
}"""


def test_the_desk_has_a_remembered_elder_mode_on_a_phone(platform: PlatformHandle) -> None:
    # 长辈版 on the desk's pages too (issue 29): text >= 18 px (20), line height >= 1.5, targets >= 60 px,
    # no sideways scroll at 375 px, remembered across pages and visits, axe clean in both modes.
    with running_desk(platform.config) as (desk, port), playwright.sync_playwright() as p:
        base = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 375, "height": 800})
        page = context.new_page()
        page.goto(f"{base}/signin?t={Secrets(platform.root).invite('a-admin').token}")
        page.get_by_role("button", name="以 甲管理 的身份登录").click()
        page.wait_for_url(f"{base}/items")
        normal = page.evaluate(ELDER_SIZES)
        assert normal["font"] == 16 and normal["smallest"] >= 43.5
        switch = page.get_by_role("button", name="长辈版")
        assert switch.get_attribute("aria-pressed") == "false"
        switch.click()
        big = page.evaluate(ELDER_SIZES)
        assert big["font"] >= 18 and big["line"] >= 1.5 and big["smallest"] >= 59.5 and big["wide"] <= 375, big
        assert page.get_by_role("button", name="标准版").get_attribute("aria-pressed") == "true"
        assert serious(page) == []
        page.get_by_role("link", name="新建条目").click()  # another page: still in 长辈版, before it paints
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.classList.contains('elder')")
        editor = page.evaluate(ELDER_SIZES)
        assert editor["smallest"] >= 59.5 and editor["wide"] <= 375, editor
        assert serious(page) == []
        again = context.new_page()  # a later visit on the same browser
        again.goto(f"{base}/items")
        again.wait_for_load_state()
        assert again.evaluate("document.documentElement.classList.contains('elder')")
        again.get_by_role("button", name="标准版").click()
        assert again.evaluate(ELDER_SIZES)["font"] == 16
        browser.close()
