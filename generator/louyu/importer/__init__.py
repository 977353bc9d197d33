"""Word documents (.docx) in, item bundles out: the importer `louyu import` and the desk share.

Pure and quiet: nothing here prints, reads a platform or knows a command line.

    draft = convert(data, "通知.docx")            # DocxError (Chinese) for bad input
    name = item_name(draft.title, "通知.docx", existing_names)
    text = item_text(draft, date=day, author="wang", scope="public")
    folder = write_bundle(section_dir, name, text, draft.files)   # all or nothing, never overwrites
"""

from __future__ import annotations

from .archive import LIMITS, Limits
from .convert import Draft, convert
from .errors import BundleExists, DocxError
from .names import item_name
from .write import item_text, remove_bundle, write_bundle

__all__ = [
    "LIMITS", "BundleExists", "DocxError", "Draft", "Limits",
    "convert", "item_name", "item_text", "remove_bundle", "write_bundle",
]
