"""`louyu desk`'s web application: the routes of every desk module, the checks every request
passes (guard.py), the pages' templates and the files shipped in the package.

Adding routes: write them in a module of this package with a `Routes()` named `ROUTES`
(see auth_routes.py) and add the module to `ROUTE_MODULES` below: one line.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..platform.model import ROLES, SECTIONS
from ..review.gate import STATE_LABELS
from .guard import Refused, allowed, check_host, template_context
from .workspace import Desk

HERE = Path(__file__).parent

# Each module holds a `ROUTES = Routes()`; their order is the order routes are matched in.
ROUTE_MODULES = [
    "louyu.desk.auth_routes",  # sign-in, sign-out, the start page
    "louyu.desk.admin_routes",  # the admin's side: items, editor, uploads, save, 同步
    "louyu.desk.import_routes",  # Word documents into the editor, with `louyu import`'s converter
    "louyu.desk.review_routes",  # the instructors' side: waiting items, changes, decisions, keys
]

# What every page may load: only the desk itself (nothing from another host), pictures also
# as data:/blob: (a photo chosen on a phone is shown before it is uploaded).
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; script-src 'self'; "
    "style-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # The sign-in link's token never leaves in a Referer to another site; same-origin (not
    # no-referrer: with that, Chromium sends `Origin: null` on a form post, refused by the guard).
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cache-control", b"no-store"),
]


class HostAndHeaders:
    """Refuses a Host the desk does not serve (before anything else runs, static files too)
    and adds the security headers to every answer."""

    def __init__(self, app: ASGIApp, hosts: set[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if not check_host(host, self.hosts):
            response = PlainTextResponse(f"书桌不为主机名 {host[:80]} 提供服务（防 DNS 重绑定）。", status_code=403)
            await response(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(SECTIONS=SECTIONS, ROLES={**ROLES, "secrecy": "保密审查员"}, STATE_LABELS=STATE_LABELS)
    return env


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A desk page from its template, with who is signed in and their CSRF token."""
    env: jinja2.Environment = request.app.state.templates
    person = getattr(request.state, "person", None)
    menu = [
        (href, label(request) if callable(label) else label)  # (a label may count, e.g. 待审核（3）)
        for href, label, needs in request.app.state.nav if person is not None and allowed(person, needs)
    ]
    context = template_context(request, desk=request.app.state.desk, menu=menu, **values)
    return HTMLResponse(env.get_template(template).render(context), status_code=status)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.headers.get("x-requested-with") == "fetch"


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    if wants_json(request):
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    return page(request, "refused.html", status=exc.status, message=exc.message)


def make_app(desk: Desk, hosts: set[str]) -> ASGIApp:
    routes: list[Any] = []
    nav: list[tuple[str, Any, str]] = []
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        routes += module.ROUTES.routes
        nav += getattr(module, "NAV", [])  # (href, label, what it needs): the menu of every page
    routes.append(Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"))
    app = Starlette(routes=routes, exception_handlers={Refused: refused})
    app.state.desk = desk
    app.state.templates = templates()
    app.state.nav = nav
    app.state.word_import = "louyu.desk.import_routes" in ROUTE_MODULES
    return HostAndHeaders(app, hosts)
