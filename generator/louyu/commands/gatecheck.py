"""What `louyu check` says about the review gate beyond the files' own problems: items that
the signature rules take off the sites, and rejected items with their notes."""

from __future__ import annotations

from typing import Callable

from ..memo.cache import Memo, cache_dir, peek_memo
from ..platform.model import Platform
from ..review.gate import Review, rejection_line, review
from ..review.signatures import signature_checker


def verified_before(platform: Platform) -> Memo:
    """The signatures the last build verified, read-only (check never writes the build
    cache): ssh-keygen costs ~5 ms a signature."""
    return Memo(peek_memo(cache_dir(platform.root), "signatures"))


def current_reviews(platform: Platform, verified: Memo) -> dict[str, Review]:
    verify = signature_checker(platform, verified)
    return {item.path: review(platform, item, verify) for item in platform.items}


def print_rejections(platform: Platform, reviews: dict[str, Review], echo: Callable[[str], None]) -> None:
    rejected = [r for r in reviews.values() if r.rejection is not None]
    for r in sorted(rejected, key=lambda r: r.item.path):
        echo(f"{r.item.path}: {rejection_line(platform, r)}")
    if rejected:
        echo(f"{len(rejected)} 个条目已退回，修改后请审核人重新审核（不影响检查结果）。")
