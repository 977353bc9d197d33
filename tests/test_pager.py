"""List pages: the links of page n of a list to the others (render/site.py `pager_links`),
which its key holds as two numbers (n, count) rather than as the links themselves."""

from __future__ import annotations

import posixpath

import pytest

from louyu.render.pages import list_page_url, pager_links


def resolve(href: str, from_url: str) -> str:
    """Where a link on the page at `from_url` (relative to the site root) leads."""
    target = posixpath.normpath(posixpath.join(from_url, href))
    return "" if target == "." else target.rstrip("/") + "/"


@pytest.mark.parametrize("prefix", ["news/", "disclosures/", "disclosures/dangwu-caiwu/"])
@pytest.mark.parametrize("count", [1, 2, 7])
def test_each_page_links_every_page_of_its_list(prefix: str, count: int) -> None:
    for n in range(1, count + 1):
        url = list_page_url(prefix, n)
        links = pager_links(url, n, count)
        assert [p["number"] for p in links["pages"]] == list(range(1, count + 1))
        assert [resolve(p["href"], url) for p in links["pages"]] == [list_page_url(prefix, k) for k in range(1, count + 1)]
        assert [p["current"] for p in links["pages"]] == [k == n for k in range(1, count + 1)]
        assert (links["prev"] is None) == (n == 1) and (links["next"] is None) == (n == count)
        if links["prev"] is not None:
            assert resolve(links["prev"], url) == list_page_url(prefix, n - 1)
        if links["next"] is not None:
            assert resolve(links["next"], url) == list_page_url(prefix, n + 1)


def test_page_urls() -> None:
    assert list_page_url("news/", 1) == "news/"
    assert list_page_url("news/", 12) == "news/page/12/"
