"""What `louyu serve`'s preview adds to a page: the state of an item not (yet) published,
and for a rejected one who sent it back and why. Empty strings in a real build."""

from __future__ import annotations

from ..platform.model import Item, Platform
from ..publish import Publication
from ..review.gate import STATE_LABELS, rejection_line


def preview_status(publication: Publication, item: Item) -> str:
    state = publication.unreviewed.get(item.path)
    return STATE_LABELS[state] if state else ""


def preview_rejection(platform: Platform, publication: Publication, item: Item) -> str:
    rejected = publication.unreviewed.get(item.path) == "rejected"
    return rejection_line(platform, publication.reviews[item.path]) if rejected else ""
