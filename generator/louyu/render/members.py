"""The members' sites (`louyu build --members`): every page says it is 党内资料 and asks
search engines to keep out of it.

The mark is put into each rendered page shell (and the portal) after the theme has made it,
so that no template of Material, the platform's theme/ or louyu has to know about it, and a
theme override cannot leave it out.
"""

from __future__ import annotations

import re

NOTICE = "党内资料，请勿外传"
ROBOTS = '<meta name="robots" content="noindex, nofollow, noarchive">'
# (styled inline too: the portal and the print view do not load louyu.css)
BANNER = (
    '<div class="louyu-members-banner" role="note" style="background:#8b0000;color:#fff;text-align:center;'
    f'font-weight:700;padding:.3rem .5rem">{NOTICE}</div>'
)
# For the web server as well: a crawler that reaches the folder is told to keep out of it.
ROBOTS_TXT = b"User-agent: *\nDisallow: /\n"

_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_BODY = re.compile(r"<body(\s[^>]*)?>", re.IGNORECASE)


def mark_members(page: str) -> str:
    """The page with the robots meta first in its head and the 党内资料 banner first in its body."""
    head, body = _HEAD.search(page), _BODY.search(page)
    if head is None or body is None or body.start() < head.end():
        raise ValueError("a page without <head> and <body> cannot be marked as 党内资料")
    return (
        page[: head.end()] + ROBOTS + page[head.end() : body.end()] + BANNER + page[body.end() :]
    )
