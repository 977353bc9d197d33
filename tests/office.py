"""Word documents for the import tests: real ones saved by LibreOffice from small ODF sources
(tests/import_docs/*.fodt, pictures made here), and hand-made ones for what an office suite
would not write (hostile zips, tracked changes, comments...)."""

from __future__ import annotations

import base64
import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

SOURCES = Path(__file__).parent / "import_docs"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


PHOTOS = {"photo1": png(40, 30, (200, 30, 30)), "photo2": png(40, 30, (30, 30, 200))}


def make_office_docs(folder: Path) -> dict[str, bytes]:
    """Each tests/import_docs/<name>.fodt saved as .docx by LibreOffice (one soffice run for
    all, with a profile of its own so that a desktop's LibreOffice is neither used nor locked)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is needed to make the test documents: apt-get install libreoffice-writer-nogui")
    sources = []
    for src in sorted(SOURCES.glob("*.fodt")):
        text = src.read_text("utf-8")
        for key, data in PHOTOS.items():
            text = text.replace("{%s}" % key, base64.b64encode(data).decode())
        target = folder / src.name
        target.write_text(text, "utf-8")
        sources.append(str(target))
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx", "--outdir", str(folder), *sources],
        check=True, capture_output=True, timeout=240,
    )
    return {Path(s).stem: (folder / f"{Path(s).stem}.docx").read_bytes() for s in sources}


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx(body: str, *, main: str = MAIN, doc_rels: str = "", extra: dict[str, bytes] | None = None,
         compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal .docx whose body is `body` (WordprocessingML paragraphs)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.replace("{main}", main))
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}</w:body></w:document>')
        if doc_rels:
            z.writestr(
                "word/_rels/document.xml.rels",
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + doc_rels + "</Relationships>",
            )
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def picture(rel_id: str, alt: str, *, link: bool = False) -> str:
    """An inline picture (DrawingML) referring to relationship `rel_id`, embedded or linked."""
    blip = f'<a:blip r:{"link" if link else "embed"}="{rel_id}"/>'
    return (
        f'<w:p><w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="685800"/><wp:docPr id="1" name="p" descr="{alt}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        f'<pic:nvPicPr><pic:cNvPr id="0" name="p" descr="{alt}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f"<pic:blipFill>{blip}</pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )


def image_rel(rel_id: str, target: str, *, external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return (f'<Relationship Id="{rel_id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
            f'Target="{target}"{mode}/>')


def with_declared_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size in its central directory entry set to `size`
    (a header that lies, as a crafted zip's may)."""
    buf = bytearray(data)
    name = member.encode()
    at = buf.find(b"PK\x01\x02" + b"")
    while at != -1:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", buf, at + 24, size)
            return bytes(buf)
        at = buf.find(b"PK\x01\x02", at + 4)
    raise KeyError(member)
