"""A disclosure as the notice a station pins on its 公开栏 (issue 25, part 5): Chromium's PDF
of the print view is one A4 page holding the title, and its QR code reads as the page's URL."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import unicodedata
from pathlib import Path
from typing import Iterator

import pytest

from conftest import PlatformHandle, item, make_platform

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
pypdf = pytest.importorskip("pypdf")
pdfium = pytest.importorskip("pypdfium2")
zxingcpp = pytest.importorskip("zxingcpp")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

A4_POINTS = (595, 842)  # 210 x 297 mm
TITLE = "关于2026年度党组织书记述职评议考核情况的通报"
# About 800 characters of a notice, in paragraphs, as staff write one.
PARAGRAPHS = [
    "根据上级党组织关于开展基层党组织书记抓党建工作述职评议考核的通知要求，总站于本月组织各楼宇党组织书记进行了述职评议。现将有关情况通报如下。",
    "一、基本情况。本次述职评议采取书记现场述职、党员群众代表测评、上级党组织点评相结合的方式进行，共有十二名党组织书记参加述职，参加测评的党员群众代表一百零八人。",
    "二、主要成效。各楼宇党组织坚持把党建工作与楼宇企业发展紧密结合，围绕组织覆盖、工作覆盖持续用力，开展主题党日、志愿服务、金融讲堂等活动四十余场次，服务楼宇职工三千余人次。",
    "三、存在问题。个别党组织“三会一课”记录不够规范，党员教育管理方式较为单一；部分楼宇党组织与物业、企业的联动机制还不够健全，服务群众的精准度有待提高。",
    "四、下步要求。各党组织要对照点评意见，逐条制定整改措施，明确责任人和完成时限，整改情况于下月底前报总站。总站将适时开展督查，推动述职评议成果转化为工作实效。",
    "从测评结果看，十二名书记的综合评价均为“好”或“较好”等次，其中金融大厦、科创大厦两个党组织书记评价为“好”的比例超过九成。党员群众代表普遍认为，楼宇党组织在凝聚企业、服务职工方面发挥了积极作用，党建阵地开放时间更长，活动内容更加贴近需求。",
    "同时，测评中也反映出一些共性问题：一是理论学习的深度还不够，个别党组织满足于读文件、念报纸；二是党员发展工作在新兴领域推进较慢，青年职工中入党积极分子数量偏少；三是党建工作台账资料归档不及时，线上线下信息同步还有差距。",
    "对上述问题，总站将结合年度工作计划，分类组织专题培训，加强对楼宇党组织的指导和服务，并把整改落实情况纳入下一年度述职评议的重要内容，切实做到以评促改、以改促建。",
    "五、其他事项。各站点要将本通报在公开栏张贴不少于七天，广泛听取党员群众意见建议。对通报内容有意见的，可通过各站点意见箱或来电来函反映，总站将认真研究，及时反馈处理情况。",
    "特此通报。",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def notices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PlatformHandle, str]]:
    body = "\n\n".join(PARAGRAPHS)
    assert 750 <= len("".join(PARAGRAPHS)) <= 850
    p = make_platform(tmp_path_factory.mktemp("print") / "平台", {
        "content/hq/disclosures/notice/index.md": item(
            TITLE, "hq-admin", body=body, scope="public", category="落实管党治党责任", number="总站〔2026〕15号", attachments=["测评汇总表.pdf"],
        ),
        "content/hq/disclosures/notice/测评汇总表.pdf": b"%PDF-1.4\n%%EOF\n",
        "content/hq/disclosures/dues.md": item("党费收缴情况", "hq-admin", body="党内公开的党费明细。", scope="members"),
    })
    p.approve("content/hq/disclosures/notice/index.md", "content/hq/disclosures/dues.md", by="hq-inst")
    p.commit("approved")
    p.build()
    p.build(output=p.root / "site-members", members=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(p.root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield p, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def pdf_of(browser: object, url: str) -> bytes:
    page = browser.new_page()  # type: ignore[attr-defined]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    pdf: bytes = page.pdf(prefer_css_page_size=True, print_background=True)
    origin = url.split("/", 3)[:3]
    assert all(r.split("/", 3)[:3] == origin or r.startswith("data:") for r in requests), requests
    page.close()
    return pdf


def qr_codes(pdf: bytes) -> list[str]:
    page = pdfium.PdfDocument(pdf)[0]
    bitmap = page.render(scale=3, grayscale=True)
    pixels = memoryview(bitmap.buffer).cast("B", (bitmap.height, bitmap.stride))
    return [code.text for code in zxingcpp.read_barcodes(pixels)]


def text_of(pdf: bytes) -> str:
    import io

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # NFKC: the CJK font's glyphs come out as Kangxi radicals (⾦ for 金) in places.
    return unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages)).replace(" ", "").replace("\n", "")


def test_a_notice_of_800_characters_prints_on_one_a4_page_with_its_qr_code(notices: tuple[PlatformHandle, str], browser: object) -> None:
    p, base = notices
    pdf = pdf_of(browser, base + "site/a/disclosures/hq/notice/print/")
    reader = pypdf.PdfReader(__import__("io").BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS  # portrait
    text = text_of(pdf)
    for expected in (TITLE, "发布机构总站", "文号总站〔2026〕15号", "测评汇总表.pdf", "审核王指导", "2026年", PARAGRAPHS[-2][:20]):
        assert unicodedata.normalize("NFKC", expected) in text, expected
    assert "首页" not in text and "搜索" not in text  # nothing of the site's navigation
    # The QR code of the page on the site it was printed from.
    assert qr_codes(pdf) == ["https://example.org/a/disclosures/hq/notice/"]


def test_the_print_button_opens_the_print_view(notices: tuple[PlatformHandle, str], browser: object) -> None:
    _, base = notices
    page = browser.new_page(viewport={"width": 375, "height": 800})  # type: ignore[attr-defined]
    page.goto(base + "site/hq/disclosures/hq/notice/")
    page.get_by_role("link", name="打印").click()
    page.wait_for_url("**/notice/print/")
    assert page.locator("h1").inner_text() == TITLE
    page.close()


def test_a_members_notice_prints_marked_and_without_a_qr_code(notices: tuple[PlatformHandle, str], browser: object) -> None:
    p, base = notices
    assert not (p.site / "hq/disclosures/hq/dues").exists()
    pdf = pdf_of(browser, base + "site-members/hq/disclosures/hq/dues/print/")
    text = text_of(pdf)
    assert "党费收缴情况" in text and unicodedata.normalize("NFKC", "党内资料，请勿外传") in text and "党内公开" in text
    assert qr_codes(pdf) == []
    # A public notice printed from the members' site still points to its public page.
    assert qr_codes(pdf_of(browser, base + "site-members/hq/disclosures/hq/notice/print/")) == ["https://example.org/hq/disclosures/hq/notice/"]


def _axe_violations(page: object) -> list[str]:
    import importlib.util

    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.submodule_search_locations
    page.add_script_tag(content=(Path(list(spec.submodule_search_locations)[0]) / "axe.min.js").read_text("utf-8"))  # type: ignore[attr-defined]
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")  # type: ignore[attr-defined]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", [
    "site-members/hq/disclosures/",  # the catalogue, under the 党内资料 banner
    "site-members/hq/disclosures/hq/dues/",
    "site/hq/disclosures/hq/notice/print/",
])
def test_disclosure_pages_on_a_phone_pass_axe(notices: tuple[PlatformHandle, str], browser: object, path: str) -> None:
    _, base = notices
    page = browser.new_page(viewport={"width": 375, "height": 800})  # type: ignore[attr-defined]
    page.goto(base + path)
    assert _axe_violations(page) == []
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.close()
