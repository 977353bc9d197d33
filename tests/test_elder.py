"""长辈版 and the public parts of every page, in headless Chromium: computed sizes, spacing,
targets and contrast (AAA) in every palette, no sideways scrolling at 375 px even zoomed to
200 %, axe-core in both modes; the header at 375 px; the screen's hint."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest

from test_browser import AXE, PALETTE_PRIMARIES, ROOT, _page, _serve, browser, search, serious_violations  # noqa: F401
from louyu.pipeline.build import build

PAGES = ("jinrong/", "", "jinrong/news/", "jinrong/news/zongzhan/platform-launch/", "jinrong/about/", "zongzhan/report/",
         "jinrong/resources/zongzhan/standard-reading/")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("elder") / "site"
    build(ROOT / "mkdocs.yml", site)
    yield from _serve(site)


def _elder(page: object, base: str) -> None:
    """Turn 长辈版 on as a reader does: the header's switch."""
    page.goto(base + "jinrong/")  # type: ignore[attr-defined]
    page.click(".louyu-elder-switch")  # type: ignore[attr-defined]
    assert page.get_attribute(".louyu-elder-switch", "aria-pressed") == "true"  # type: ignore[attr-defined]


def test_the_switch_is_remembered_across_pages_and_visits(example: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    _elder(page, example)
    # The next page is in 长辈版 as soon as its document exists (the choice is read in <head>).
    page.goto(example + "jinrong/news/", wait_until="commit")
    page.wait_for_selector("html.louyu-elder", state="attached", timeout=5000)
    page.close()
    again = context.new_page()  # a later visit
    again.goto(example + "zongzhan/")
    assert again.evaluate("document.documentElement.classList.contains('louyu-elder')")
    assert again.get_attribute(".louyu-elder-switch", "aria-pressed") == "true"
    again.click(".louyu-elder-switch")
    again.goto(example + "zongzhan/news/")
    assert not again.evaluate("document.documentElement.classList.contains('louyu-elder')")
    context.close()


MEASURE = """() => {
  const px = v => parseFloat(v);
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const out = {text: [], gaps: [], small: []};
  const main = 'article.md-content__inner p, article.md-content__inner li, .louyu-entry__title, .louyu-entry__summary, '
    + 'body > main > p, body > main li span';  // the last two: the portal's
  for (const p of document.querySelectorAll(main)) {
    if (!visible(p) || !p.textContent.trim() || p.closest('.louyu-crumbs, .louyu-overview, table, .louyu-legend, .louyu-missed, figcaption')) continue;
    const s = getComputedStyle(p);
    out.text.push([px(s.fontSize), px(s.lineHeight) / px(s.fontSize)]);
    if (p.tagName !== 'P') continue;
    const next = p.nextElementSibling;
    if (next && next.tagName === 'P' && visible(next))
      out.gaps.push([next.getBoundingClientRect().top - p.getBoundingClientRect().bottom, px(s.lineHeight)]);
  }
  const targets = '.md-header__button, .louyu-elder-switch, .louyu-entry__title, .louyu-pager a, .louyu-prevnext a, '
    + '.louyu-crumbs a, .louyu-footer a, .louyu-more a, .louyu-attachments a, .md-search-result__link';
  for (const t of document.querySelectorAll(targets)) {
    if (!visible(t)) continue;
    const r = t.getBoundingClientRect();
    if (r.height < 60 || r.width < 44) out.small.push([t.className || t.tagName, t.textContent.trim().slice(0, 20), Math.round(r.width), Math.round(r.height)]);
  }
  out.scroll = [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  return out;
}"""


@pytest.mark.parametrize("width", [375, 188])  # 188: a 375 px phone zoomed to 200 %
def test_elder_sizes_spacing_targets_and_no_sideways_scroll(example: str, browser: object, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800}, device_scale_factor=2)  # type: ignore[attr-defined]
    _elder(page, example)
    problems = []
    for url in PAGES:
        page.goto(example + url)  # type: ignore[attr-defined]
        m = page.evaluate(MEASURE)  # type: ignore[attr-defined]
        assert m["text"], url
        problems += [f"{url}: text {size}px × {ratio:.2f}" for size, ratio in m["text"] if size < 18 or ratio < 1.5]
        problems += [f"{url}: paragraphs {gap:.0f}px apart, line {line:.0f}px" for gap, line in m["gaps"] if gap < 1.3 * line - 0.5]
        problems += [f"{url}: small target {t}" for t in m["small"]]
        if m["scroll"][0] > m["scroll"][1]:
            problems.append(f"{url}: scrolls sideways {m['scroll']}")
    if width == 375:
        page.goto(example + "jinrong/")  # type: ignore[attr-defined]
        sizes = [size for size, _ in page.evaluate(MEASURE)["text"]]  # type: ignore[attr-defined]
        assert sizes and max(sizes) >= 20
    assert problems == [], "\n".join(problems)
    page.close()  # type: ignore[attr-defined]


def test_elder_search_results_are_large_too(example: str, browser: object) -> None:
    page, _, _ = _page(browser, example, width=375)
    _elder(page, example)
    with page.expect_response(lambda r: r.url.endswith("search/search_index.json")):  # type: ignore[attr-defined]
        page.goto(example + "jinrong/")  # type: ignore[attr-defined]
    page.click("label.md-header__button[for=__search]")  # type: ignore[attr-defined]
    search(page, "驿站")
    sizes = page.evaluate("[...document.querySelectorAll('.md-search-result__article p, .md-search-result__article h1')].map(e => parseFloat(getComputedStyle(e).fontSize))")  # type: ignore[attr-defined]
    assert sizes and min(sizes) >= 18
    small = page.evaluate("[...document.querySelectorAll('.md-search-result__link')].filter(e => e.getBoundingClientRect().height > 0 && e.getBoundingClientRect().height < 60).length")  # type: ignore[attr-defined]
    assert small == 0
    assert serious_violations(page) == []


def test_axe_finds_nothing_serious_in_either_mode(example: str, browser: object) -> None:
    page, outside, _ = _page(browser, example, width=375)
    found = []
    for mode in ("standard", "elder"):
        if mode == "elder":
            _elder(page, example)
        for url in PAGES:
            page.goto(example + url)  # type: ignore[attr-defined]
            found += [f"{mode} {url}: {v}" for v in serious_violations(page)]
    assert found == [] and outside == []


def test_elder_contrast_is_aaa_in_every_palette(example: str, browser: object) -> None:
    page, _, _ = _page(browser, example)
    _elder(page, example)
    page.goto(example + "jinrong/news/zongzhan/platform-launch/")  # type: ignore[attr-defined]
    page.add_script_tag(content=AXE.read_text("utf-8"))  # type: ignore[attr-defined]
    found = []
    for scheme in ("default", "slate"):
        for primary in PALETTE_PRIMARIES:
            page.evaluate(  # type: ignore[attr-defined]
                "([s, p]) => { document.body.setAttribute('data-md-color-scheme', s); document.body.setAttribute('data-md-color-primary', p); }",
                [scheme, primary],
            )
            page.wait_for_timeout(300)  # type: ignore[attr-defined]  # Material animates colour changes
            result = page.evaluate("axe.run(document, {runOnly: ['color-contrast-enhanced'], resultTypes: ['violations', 'passes']})")  # type: ignore[attr-defined]
            checked = {n["target"][0] for r in result["passes"] for n in r["nodes"]}
            assert any("louyu-footer" in t or "louyu-icp" in t for t in checked) or result["violations"], checked
            for v in result["violations"]:
                found.append(f"{scheme}/{primary}: {[(n['target'], n.get('any', [{}])[0].get('data', {}).get('contrastRatio')) for n in v['nodes']][:4]}")
    assert found == []


def test_the_header_keeps_the_station_name_readable_on_a_phone(example: str, browser: object) -> None:
    page, _, _ = _page(browser, example, width=375)
    for url in ("jinrong/", "fenghuang/news/"):
        page.goto(example + url)  # type: ignore[attr-defined]
        fits = page.evaluate("(() => { const e = document.querySelector('.louyu-title__station'); const r = e.getBoundingClientRect(); return [e.scrollWidth <= e.clientWidth, r.width > 0, e.textContent]; })()")  # type: ignore[attr-defined]
        assert fits[0] and fits[1], (url, fits)


def test_text_follows_the_readers_font_setting() -> None:
    css = (ROOT / "generator/louyu/templates/public.css").read_text("utf-8")
    assert not re.search(r"font-size:\s*[\d.]+px", css), "a px font size does not follow the reader's setting"
    assert "text-size-adjust: 100%" in css


def test_the_screen_asks_to_scan_only_where_there_is_a_code(example: str, browser: object, tmp_path: Path) -> None:
    page, _, _ = _page(browser, example, width=1280)
    page.goto(example + "jinrong/screen/")  # type: ignore[attr-defined]  # site_url set: every slide has its code
    assert page.inner_text("#hint") == "扫描二维码查看详情 · 内容经党建指导员审核发布"  # type: ignore[attr-defined]
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    root = tmp_path / "p"
    import shutil
    import subprocess

    for folder in ("stations", "content", "reviews", "theme"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "mkdocs.yml").write_text(re.sub(r"(?m)^site_url: .*\n", "", config), "utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "p"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    build(root / "mkdocs.yml", root / "site")
    page.goto((root / "site/jinrong/screen/index.html").as_uri())  # type: ignore[attr-defined]
    assert page.inner_text("#hint") == "内容经党建指导员审核发布"  # type: ignore[attr-defined]
    assert page.evaluate("document.querySelectorAll('.slide .qr').length") == 0  # type: ignore[attr-defined]
