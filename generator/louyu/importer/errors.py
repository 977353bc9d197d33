"""The one error the importer raises: a Word file it will not turn into an item."""

from __future__ import annotations


class DocxError(ValueError):
    """Bad input (not a .docx, damaged, too large, macros...); the message is Chinese and
    says what to do. Nothing has been written when it is raised."""

    def __init__(self, message: str, filename: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename

    def __str__(self) -> str:
        return f"{self.filename}: {self.message}" if self.filename else self.message


class BundleExists(DocxError):
    """The item folder chosen for an import is already there (nothing is overwritten)."""
