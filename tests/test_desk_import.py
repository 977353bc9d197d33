"""A Word document imported into the desk's editor with `louyu import`'s converter."""

from __future__ import annotations

import pytest

from conftest import PlatformHandle
from desk_helpers import Client, running_desk

import office  # the importer's test helpers: tiny .docx files
from louyu import importer


def test_a_word_document_fills_the_editor_and_its_pictures_join_the_item(platform: PlatformHandle) -> None:
    body = office.para("关于开展志愿服务的通知") + office.para("各支部：请按时参加。") + office.picture("rId5", "活动照片")
    data = office.docx(body, doc_rels=office.image_rel("rId5", "media/image1.png"), extra={"word/media/image1.png": office.PHOTOS["photo1"]})
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        r = c.post_files("/import/content/a/news/tongzhi", [("通知.docx", data)], {"version": ""})
        assert r.status == 200, r.text
        draft = r.json()
        assert draft["title"] == "关于开展志愿服务的通知" and "请按时参加" in draft["body"]
        assert len(draft["files"]) == 1 and draft["files"][0] in draft["body"]
        stored = platform.root / "content/a/news/tongzhi" / draft["files"][0]
        assert stored.read_bytes() == office.PHOTOS["photo1"]
        assert "从 Word 导入" in c.get("/edit/content/a/news/tongzhi").text
        saved = c.post_form("/save/content/a/news/tongzhi", {
            "title": draft["title"], "date": draft["date"], "body": draft["body"], "version": draft["version"],
        })
        assert saved.status == 303, saved.text
        bad = c.post_files("/import/content/a/news/other", [("坏的.docx", b"not a zip")], {"version": ""})
        assert bad.status == 400 and "坏的.docx" in bad.text
        assert not (platform.root / "content/a/news/other").exists()
        assert c.post_files("/import/content/b/news/x", [("通知.docx", data)], {"version": ""}).status == 403
    assert not platform.git("status", "--porcelain", "content/").strip()
