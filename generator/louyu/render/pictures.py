"""Published pictures: sizes for the page, a modern format with a fallback, no EXIF.

A phone photo is 3–12 MB and carries where it was taken (GPS) in its EXIF. Every picture a
site shows (cover, inline image, image attachment) is published as copies 480/960/1600 px
wide (never wider than the original), each as WebP and as JPEG (PNG for a PNG), with the
EXIF orientation applied and every metadata block left out; the page offers them through
`srcset`/`sizes`. An attachment's download is a full-size copy without metadata, never the
original file.

`make_variants` is the pure step (bytes in, files out); making them once per picture and
keeping them is the build's business: it hands the renderer a `PictureStore`
(memo/pictures.py). Pillow: the one well-kept imaging library for Python (docs/public-sites.md).
"""

from __future__ import annotations

import functools
import html
import io
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol

from markupsafe import Markup

from ..platform.digest import key_of
from ..platform.model import FileRef, Item
from ..platform.refs import href_of, links_in_markdown
from .output import Output
from .pages import human_size, image_dimensions, kind_of

RESIZED = {".jpg", ".jpeg", ".png", ".webp"}  # what Pillow reads and re-encodes; others are copied
WIDTHS = (480, 960, 1600)
FORMAT_VERSION = "2"  # part of every key: a change of what is made makes it anew
PAGE_SIZES = "(min-width: 76.25em) 37rem, 100vw"  # Material's content column, or the whole phone
THUMB_SIZES = "6rem"
_MIME = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Picture:
    """What the page needs of a made picture: its oriented size and the copies' widths."""

    width: int
    height: int
    widths: tuple[int, ...]
    fallback: str  # "jpg" or "png"
    full: str  # extension of the full-size download copy

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "widths": list(self.widths), "fallback": self.fallback, "full": self.full}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Picture":
        return cls(int(data["width"]), int(data["height"]), tuple(int(w) for w in data["widths"]), str(data["fallback"]), str(data["full"]))


Made = tuple[dict[str, Any], dict[str, bytes]]  # the Picture as JSON data, the copies


class PictureStore(Protocol):
    """Where made pictures are kept. `picture` gives the digest of a referenced file's bytes
    and its picture: found by `ref_key` (what identifies the file without reading it), else
    by that digest, else made with `make(read())`; None for a file that is no picture.
    `file` is one of a picture's copies (bytes, or a kept file to copy)."""

    def picture(self, ref_key: str, read: Callable[[], bytes], make: Callable[[bytes], Made]) -> tuple[str, dict[str, Any]] | None: ...

    def file(self, digest: str, name: str) -> Any: ...

    def has(self, ref_key: str) -> bool:
        """Whether the referenced file's picture is known already (made, or found no picture)."""
        ...

    def download(self, digest: str, read: Callable[[], bytes], make: Callable[[bytes], bytes]) -> Any:
        """The full-size copy (made with `make(read())` the first time it is asked for)."""
        ...


class MadeHere:
    """A `PictureStore` for one run (no build cache): pictures kept in memory."""

    def __init__(self) -> None:
        self.made: dict[str, tuple[str, Made] | None] = {}

    def picture(self, ref_key: str, read: Callable[[], bytes], make: Callable[[bytes], Made]) -> tuple[str, dict[str, Any]] | None:
        if ref_key not in self.made:
            try:
                self.made[ref_key] = (ref_key, make(read()))
            except ValueError:
                self.made[ref_key] = None
        found = self.made[ref_key]
        return (found[0], found[1][0]) if found else None

    def has(self, ref_key: str) -> bool:
        return ref_key in self.made

    def file(self, digest: str, name: str) -> bytes:
        found = self.made[digest]
        assert found is not None
        return found[1][1][name]

    def download(self, digest: str, read: Callable[[], bytes], make: Callable[[bytes], bytes]) -> bytes:
        return make(read())


def is_picture(ref: FileRef) -> bool:
    return posixpath.splitext(ref.rel)[1].lower() in RESIZED


def _upright(data: bytes, largest: int | None) -> tuple[Any, str, tuple[int, int]]:
    """The picture turned upright (EXIF orientation applied, then dropped), its format and its
    full upright size; a JPEG is decoded at the smallest scale that still holds `largest`
    pixels across (libjpeg scales while decoding: a 12-megapixel photo in a fraction of the
    time). ValueError if the bytes are no picture Pillow can read."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            source_format = (opened.format or "").upper()
            turned = opened.getexif().get(0x0112) in (5, 6, 7, 8)
            stored = opened.size
            size = (stored[1], stored[0]) if turned else stored
            if largest and source_format == "JPEG" and size[0] > largest:
                scale = largest / size[0]
                opened.draft("RGB", (max(1, round(stored[0] * scale)), max(1, round(stored[1] * scale))))
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    return image, source_format, size


def _has_alpha(image: Any) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def make_variants(data: bytes) -> Made:
    """The copies a page shows: `<width>.webp` and `<width>.<jpg|png>`, without EXIF, XMP,
    comments or GPS; ValueError if the bytes are no picture Pillow can read."""
    from PIL import Image

    image, source_format, (width, height) = _upright(data, max(WIDTHS))
    alpha = _has_alpha(image)
    fallback = "png" if source_format == "PNG" or alpha else "jpg"
    full = {"PNG": "png", "WEBP": "webp"}.get(source_format, "jpg")
    image = image.convert("RGBA" if alpha else "RGB")
    widths = tuple(sorted({min(w, width) for w in WIDTHS}))
    files: dict[str, bytes] = {}
    for w in reversed(widths):  # each copy from the next larger one: less to resample
        h = max(1, round(height * w / width))
        if image.size != (w, h):
            image = image.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        files[f"{w}.webp"] = _encode(image, "webp")
        files[f"{w}.{fallback}"] = _encode(image, fallback)
    return Picture(width, height, widths, fallback, full).to_json(), files


def make_download(data: bytes) -> bytes:
    """An attachment's download: the picture at full size, upright, without metadata."""
    image, source_format, _ = _upright(data, None)
    full = {"PNG": "png", "WEBP": "webp"}.get(source_format, "jpg")
    if full == "jpg":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    return _encode(image, full, quality=90)


def _encode(image: Any, ext: str, quality: int = 80) -> bytes:
    out = io.BytesIO()
    if ext == "webp":
        image.save(out, "WEBP", quality=quality, method=1)
    elif ext == "png":
        image.save(out, "PNG", compress_level=6)
    else:
        image.convert("RGB").save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def copy_name(rel: str, width: int, ext: str) -> str:
    """The published copy of `rel` (a path in the item's folder) at `width`: beside it."""
    stem = posixpath.splitext(rel)[0]
    return f"{stem}-{width}.{ext}"


def picture_html(
    rel: str, picture: Picture, alt: str, sizes: str = PAGE_SIZES, extra: str = "", priority: bool = False, base: str = "",
) -> str:
    """<picture> with WebP and JPEG/PNG sources for the copies of `rel`, sized so the page
    keeps its place before they arrive."""
    def srcset(ext: str) -> str:
        return ", ".join(f"{base}{href_of(copy_name(rel, w, ext))} {w}w" for w in picture.widths)

    middle = min(picture.widths, key=lambda w: abs(w - 960))
    height = max(1, round(picture.height * middle / picture.width))
    loading = ' fetchpriority="high"' if priority else ' loading="lazy" decoding="async"'
    return (
        f'<picture class="louyu-picture"><source type="image/webp" srcset="{srcset("webp")}" sizes="{sizes}">'
        f'<img src="{base}{href_of(copy_name(rel, middle, picture.fallback))}" srcset="{srcset(picture.fallback)}" sizes="{sizes}" '
        f'width="{middle}" height="{height}" alt="{html.escape(alt, quote=True)}"{extra}{loading}></picture>'
    )


_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')


def pictures_in_body(body: str, pictures: dict[str, tuple[str, Picture]]) -> str:
    """The item's HTML with each <img> of a published picture as its <picture>.
    `pictures`: the image's href in the HTML -> (its path in the folder, the picture)."""
    def replace(m: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(m.group(1)))
        found = pictures.get(attrs.get("src", ""))
        if found is None:
            return m.group(0)
        extra = f' title="{attrs["title"]}"' if "title" in attrs else ""
        return picture_html(found[0], found[1], html.unescape(attrs.get("alt", "")), extra=extra)

    return _IMG.sub(replace, body) if pictures else body


class ItemPictures:
    """The pictures of item revisions as pages and sites publish them, each asked of the
    store once per process."""

    def __init__(self, store: PictureStore | None = None) -> None:
        self.store: PictureStore = store if store is not None else MadeHere()
        self.found: dict[tuple[str, str], tuple[str, Picture] | None] = {}

    def of(self, item: Item, ref: FileRef) -> tuple[str, Picture] | None:
        """(digest of its bytes, the picture) of a referenced file; None if it is no picture."""
        if not is_picture(ref):
            return None
        key = (item.digest, ref.rel)
        if key not in self.found:
            # The item's digest covers this file's bytes and path: a key known without reading it.
            made = self.store.picture(self._key(item, ref), ref.read, make_variants)
            self.found[key] = (made[0], Picture.from_json(made[1])) if made else None
        return self.found[key]

    @staticmethod
    def _key(item: Item, ref: FileRef) -> str:
        return key_of(FORMAT_VERSION, item.digest, ref.rel)

    def missing(self, items: list[Item]) -> list[tuple[Item, FileRef]]:
        """The pictures of these items that are yet to be made (each once)."""
        found: dict[str, tuple[Item, FileRef]] = {}
        for item in items:
            for ref in item.files() if item.refs else ():
                if is_picture(ref) and (key := self._key(item, ref)) not in found and not self.store.has(key):
                    found[key] = (item, ref)
        return list(found.values())

    def outputs(self, prefix: str, item: Item) -> Iterator[Output]:
        """Every file of the item's folder as published (prefix: the station's folder and the
        item's URL): pictures as their copies, an attachment's download without metadata."""
        downloads = downloads_of(item)
        for ref in item.files():
            made = self.of(item, ref)
            path = posixpath.join(prefix, ref.rel)
            if made is None:
                yield Output(path, key_of(item.digest, ref.rel), ref.source)
                continue
            digest, picture = made
            for w in picture.widths:
                for ext in ("webp", picture.fallback):
                    yield Output(posixpath.join(prefix, copy_name(ref.rel, w, ext)), key_of(FORMAT_VERSION, digest, w, ext), self._file(digest, f"{w}.{ext}"))
            if ref.rel in downloads:
                yield Output(path, key_of(FORMAT_VERSION, digest, "full"), functools.partial(self.store.download, digest, ref.read, make_download))

    def _file(self, digest: str, name: str) -> Callable[[], Any]:
        return lambda: self.store.file(digest, name)

    def html(self, item: Item, rel: str, alt: str, **options: Any) -> str:
        """A picture of the item as <picture>, or a plain <img> for one that is not resized."""
        ref = item.refs[rel]
        made = self.of(item, ref)
        if made is None:
            base = options.get("base", "")
            return f'<img src="{base}{href_of(ref.rel)}" alt="{html.escape(alt, quote=True)}"{image_dimensions(ref)} loading="lazy">'
        return picture_html(ref.rel, made[1], alt, **options)

    def body(self, item: Item, body: str) -> str:
        """The item's rendered HTML with its pictures' <img> as <picture>."""
        found = {href_of(ref.rel): (ref.rel, made[1]) for ref in item.files() if (made := self.of(item, ref))}
        return pictures_in_body(body, found)

    def cover_url(self, item: Item) -> str | None:
        """The cover's copy for sharing (og:image), relative to the item's page."""
        if not item.cover:
            return None
        made = self.of(item, item.refs[item.cover])
        rel = item.refs[item.cover].rel
        if made is None:
            return href_of(rel)
        width = min(made[1].widths, key=lambda w: abs(w - 960))
        return href_of(copy_name(rel, width, made[1].fallback))


    def screen_cover(self, item: Item, into: dict[str, tuple[str, str]]) -> str | None:
        """The cover of a screen slide, as a file of the screen's own folder (a screen runs
        from that folder alone); `into` collects name -> (digest, copy) of each."""
        made = self.of(item, item.refs[item.cover]) if item.cover else None
        if made is None:
            return None
        digest, picture = made
        width = min(picture.widths, key=lambda w: abs(w - 960))
        name = f"pictures/{digest[:20]}-{width}.{picture.fallback}"
        into[name] = (digest, f"{width}.{picture.fallback}")
        return name

    def screen_outputs(self, prefix: str, covers: dict[str, tuple[str, str]]) -> Iterator[Output]:
        for name, (digest, copy) in sorted(covers.items()):
            yield Output(prefix + name, key_of(FORMAT_VERSION, digest, copy), self._file(digest, copy))


    def lead(self, listed: list[Item]) -> dict[str, Any] | None:
        """The home page's lead: the newest listed item with a cover (图片新闻), if any."""
        lead = next((i for i in listed if i.cover and i.section != "themes"), None)
        if lead is None or not lead.cover:
            return None
        base = lead.url  # relative to the home page, the site's root
        return {"href": base, "title": lead.title, "picture": Markup(self.html(lead, lead.cover, "", base=base, priority=True))}

    def attachments(self, item: Item) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """An item's attachments as its page shows them: media (pictures, recordings) and documents."""
        media: list[dict[str, Any]] = []
        documents: list[dict[str, str]] = []
        for rel in item.attachments:
            ref = item.refs[rel]
            entry: dict[str, Any] = {"rel": href_of(ref.rel), "name": posixpath.basename(ref.rel), "size": human_size(ref.size), "kind": kind_of(ref)}
            if entry["kind"] == "image":
                entry["html"] = Markup(self.html(item, rel, entry["name"]))
                entry["download"] = self.of(item, ref) is not None
            (documents if entry["kind"] == "document" else media).append(entry)
        return media, documents


def downloads_of(item: Item) -> set[str]:
    """The files offered for download: attachments, and files a link in the body leads to."""
    rels = {item.refs[a].rel for a in item.attachments if a in item.refs}
    for link in links_in_markdown(item.body, item.body_line):
        if not link.media and link.target in item.refs:
            rels.add(item.refs[link.target].rel)
    return rels
