"""Word documents (.docx) in, item bundles out: the importer `louyu import` and the desk share.

Pure and quiet: nothing here prints or knows a command line; only author.py looks at a
loaded platform (who may be an item's author).

    draft = convert(data, "通知.docx")            # DocxError (Chinese) for bad input
    name = item_name(draft.title, "通知.docx", existing_names)
    date, note = publication_date(draft.date, today)   # the stated date, unless it lies ahead
    text = item_text(draft, date=date, author="wang", scope="public")
    folder = write_bundle(section_dir, name, text, draft.files)   # all or nothing, never overwrites
"""

from __future__ import annotations

from .archive import LIMITS, Limits
from .convert import Draft, convert
from .errors import BundleExists, DocxError
from .names import item_name
from .write import item_text, publication_date, remove_bundle, write_bundle

__all__ = [
    "LIMITS", "BundleExists", "DocxError", "Draft", "Limits",
    "convert", "item_name", "item_text", "publication_date", "remove_bundle", "write_bundle",
]
