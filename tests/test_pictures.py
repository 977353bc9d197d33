"""Published pictures: sized copies with srcset, WebP with a fallback, no EXIF (GPS above all),
made once per picture and kept in the build cache."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from conftest import PlatformHandle, item, make_platform
from louyu.render.pictures import make_download, make_variants

GPS = 0x8825
ORIENTATION = 0x0112


def phone_photo(width: int = 2000, height: int = 1000, fmt: str = "JPEG") -> bytes:
    """A photo as a phone writes it: GPS position, camera model, turned 90° by EXIF."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(0, width, 50):  # something to compress
        image.paste((30, 30, 200), (x, 0, x + 10, height))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored sideways: shown 1000 wide, 2000 high
    exif[0x0110] = "测试手机"
    exif.get_ifd(GPS).update({1: "N", 2: (32.0, 29.0, 10.5), 3: "E", 4: (119.0, 55.0, 3.2)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS), "the test photo carries GPS"
    return data


def assert_no_metadata(data: bytes, where: str) -> None:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(GPS), f"{where}: GPS left in"
        assert ORIENTATION not in exif and 0x0110 not in exif, f"{where}: EXIF left in ({dict(exif)})"
        assert "exif" not in image.info and "xmp" not in image.info, where


def test_copies_carry_no_exif_and_are_turned_upright() -> None:
    picture, files = make_variants(phone_photo())
    assert (picture["width"], picture["height"], picture["widths"]) == (1000, 2000, [480, 960, 1000])
    assert sorted(files) == ["1000.jpg", "1000.webp", "480.jpg", "480.webp", "960.jpg", "960.webp"]
    files["full.jpg"] = make_download(phone_photo())
    for name, data in files.items():
        assert_no_metadata(data, name)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == {"webp": "WEBP", "jpg": "JPEG"}[name.rsplit(".", 1)[1]]
            if name.startswith("480"):
                assert image.size == (480, 960)
            if name == "full.jpg":
                assert image.size == (1000, 2000)


def test_a_picture_that_is_none_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        make_variants(b"not a picture at all")


def _platform(tmp_path: Path) -> PlatformHandle:
    photo = phone_photo()
    p = make_platform(tmp_path / "平台", {
        "content/hq/news/visit/index.md": item(
            "走访企业", "hq-admin", cover="photo.jpg", attachments=["scan.png"],
            body="![现场照片](photo.jpg)\n\n正文。\n",
        ),
        "content/hq/news/visit/photo.jpg": photo,
        "content/hq/news/visit/scan.png": phone_photo(800, 600, "PNG"),
        "content/hq/news/plain.md": item("没有图片的新闻", "hq-admin"),
    })
    p.approve("content/hq/news/visit/index.md", "content/hq/news/plain.md", by="hq-inst")
    p.commit("approved")
    return p


def test_published_pictures_carry_no_gps(tmp_path: Path) -> None:
    p = _platform(tmp_path)
    p.build()
    originals = {(p.root / "content/hq/news/visit" / n).read_bytes() for n in ("photo.jpg", "scan.png")}
    folder = p.site / "a/news/hq/visit"
    published = sorted(f for f in folder.iterdir() if f.suffix in {".jpg", ".png", ".webp"})
    assert [f.name for f in published] == [
        "photo-1000.jpg", "photo-1000.webp", "photo-480.jpg", "photo-480.webp", "photo-960.jpg", "photo-960.webp",
        "scan-480.png", "scan-480.webp", "scan-600.png", "scan-600.webp", "scan.png",
    ]  # the cover's original is not published; the attachment's download is a clean copy
    for f in published:
        data = f.read_bytes()
        assert data not in originals, f
        assert_no_metadata(data, str(f))
    with Image.open(folder / "scan.png") as download:
        assert download.size == (600, 800)  # full size, upright


def test_pages_offer_sized_copies_and_lists_show_thumbnails(tmp_path: Path) -> None:
    p = _platform(tmp_path)
    p.build()
    page = (p.site / "a/news/hq/visit/index.html").read_text("utf-8")
    cover = re.search(r'<figure class="louyu-cover">(.*?)</figure>', page, re.S)
    assert cover and '<source type="image/webp" srcset="photo-480.webp 480w, photo-960.webp 960w, photo-1000.webp 1000w"' in cover.group(1)
    assert 'src="photo-960.jpg" srcset="photo-480.jpg 480w, photo-960.jpg 960w, photo-1000.jpg 1000w"' in cover.group(1)
    assert 'width="960" height="1920" alt="走访企业"' in cover.group(1) and 'fetchpriority="high"' in cover.group(1)
    body = page[page.index('<div class="louyu-body">'):]
    assert '<picture class="louyu-picture">' in body and 'alt="现场照片"' in body and 'src="photo.jpg"' not in page
    assert '<a href="scan.png" download>下载原图</a>' in page
    assert '<meta property="og:image" content="https://example.org/a/news/hq/visit/photo-960.jpg">' in page
    news = (p.site / "a/news/index.html").read_text("utf-8")
    assert 'srcset="../news/hq/visit/photo-480.webp 480w' in news and news.count('class="louyu-thumb"') == 1
    home = (p.site / "a/index.html").read_text("utf-8")
    lead = re.search(r'<a class="louyu-lead" href="news/hq/visit/">(.*?)</a>', home, re.S)
    assert lead and "走访企业" in lead.group(1) and 'srcset="news/hq/visit/photo-480.webp 480w' in lead.group(1)


def test_pictures_are_made_once_per_picture_and_kept(tmp_path: Path) -> None:
    p = _platform(tmp_path)
    p.build()
    store = p.root / ".louyu-cache" / "pictures"
    made = sorted(d for d in store.iterdir() if d.name != "refs")
    assert len(made) == 2  # the photo and the scan, shown on three sites
    stamps = {f: f.stat().st_mtime_ns for d in made for f in d.iterdir()}
    import shutil

    shutil.rmtree(p.site)
    p.build()  # a cold build of the output: the copies come from the cache
    assert {f: f.stat().st_mtime_ns for d in made for f in d.iterdir()} == stamps
    assert (p.site / "b/news/hq/visit/photo-480.webp").read_bytes() == (made[0] / "480.webp").read_bytes() or (
        p.site / "b/news/hq/visit/photo-480.webp"
    ).read_bytes() == (made[1] / "480.webp").read_bytes()


def test_a_large_photo_is_decoded_small_yet_reported_at_its_size() -> None:
    picture, files = make_variants(phone_photo(4000, 3000))
    assert (picture["width"], picture["height"], picture["widths"]) == (3000, 4000, [480, 960, 1600])
    with Image.open(io.BytesIO(files["1600.jpg"])) as image:
        assert image.size == (1600, 2133)
    with Image.open(io.BytesIO(make_download(phone_photo(4000, 3000)))) as full:
        assert full.size == (3000, 4000)


def test_the_cache_keeps_only_the_pictures_of_the_last_build(tmp_path: Path) -> None:
    p = _platform(tmp_path)
    p.build()
    store = p.root / ".louyu-cache" / "pictures"
    before = {d.name for d in store.iterdir() if d.name != "refs"}
    assert len(before) == 2
    p.write("content/hq/news/visit/scan.png", phone_photo(640, 480, "PNG"))  # the attachment replaced
    p.approve("content/hq/news/visit/index.md", by="hq-inst")
    p.commit("new scan")
    p.build(stations=["a"])  # a build of some stations keeps what the others may use
    assert before <= {d.name for d in store.iterdir() if d.name != "refs"}
    p.build()
    after = {d.name for d in store.iterdir() if d.name != "refs"}
    assert len(after) == 2 and len(after & before) == 1  # the photo kept, the old scan gone
    assert len(list((store / "refs").iterdir())) == 2


def test_screen_slides_show_the_cover_from_their_own_folder(tmp_path: Path) -> None:
    import json

    p = _platform(tmp_path)
    p.build()
    screen = (p.site / "a/screen/index.html").read_text("utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="screen-data">(.*?)</script>', screen, re.S).group(1))  # type: ignore[union-attr]
    images = {s["title"]: s.get("image") for s in data["slides"]}
    assert images["没有图片的新闻"] is None
    name = images["走访企业"]
    assert name and re.fullmatch(r"pictures/[0-9a-f]{20}-960\.jpg", name)
    assert_no_metadata((p.site / "a/screen" / name).read_bytes(), name)
