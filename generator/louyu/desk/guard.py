"""Every request passes here: the Host it names, the sign-in, and for a write its Origin and
CSRF token (Jupyter Server's protection of a local web app). Routes only declare what they
need (`Routes.get(..., needs=ADMIN)`); none of them re-implements a check.

- Host: only the names the desk serves (DNS rebinding: a page of another site whose name
  points at 127.0.0.1 would otherwise reach the desk as a same-origin site).
- Sign-in: the session cookie (httponly, SameSite=Strict) names a live session in
  `.louyu-desk/` (identity.py); otherwise the request is refused (a page: to the sign-in
  explanation; anything else: 401).
- Writes (every method but GET/HEAD): `Origin` must be this very host, and the CSRF token
  (form field `csrf` or header `X-CSRF-Token`) must be the session's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..platform.model import Staff, Station

COOKIE = "louyu_desk"
SAFE_METHODS = {"GET", "HEAD"}

# What a route needs: nobody (the sign-in page), anyone signed in, or a role.
PUBLIC = "public"
SIGNED_IN = "signed-in"
ADMIN = "admin"
REVIEWER = "reviewer"  # instructor or secrecy reviewer (part 2's routes)
REVIEWER_ROLES = {"instructor", "secrecy"}


class Refused(Exception):
    """A request the desk does not answer: HTTP status and a Chinese reason for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Person:
    """Who is signed in: their staff entry, role and station, and the session's CSRF token."""

    staff: Staff
    station: Station
    csrf: str
    session: str

    @property
    def role(self) -> str:
        return self.staff.role

    @property
    def is_admin(self) -> bool:
        return self.staff.role == "admin"

    @property
    def is_reviewer(self) -> bool:
        return self.staff.role in REVIEWER_ROLES


NOT_FOR_YOU = {ADMIN: "此页面只供平台管理员（admin）使用", REVIEWER: "此页面只供党建指导员和保密审查员使用"}


def allowed(person: Person, needs: str) -> bool:
    """Whether `person` may use what needs `needs` (a route, a menu entry)."""
    if needs == ADMIN:
        return person.is_admin
    if needs == REVIEWER:
        return person.is_reviewer
    return True


Endpoint = Callable[[Request], Awaitable[Response]]


class Routes:
    """A module's routes, each declaring what it needs; app.py gathers every module's list."""

    def __init__(self) -> None:
        self.routes: list[BaseRoute] = []

    def get(self, path: str, needs: str = SIGNED_IN, name: str | None = None) -> Callable[[Endpoint], Endpoint]:
        return self.add(path, ["GET"], needs, name)

    def post(self, path: str, needs: str = SIGNED_IN, name: str | None = None) -> Callable[[Endpoint], Endpoint]:
        return self.add(path, ["POST"], needs, name)

    def add(self, path: str, methods: list[str], needs: str, name: str | None) -> Callable[[Endpoint], Endpoint]:
        def register(endpoint: Endpoint) -> Endpoint:
            guarded = _guarded(endpoint, needs)
            self.routes.append(Route(path, guarded, methods=methods, name=name or endpoint.__name__))
            return guarded

        return register


def _guarded(endpoint: Endpoint, needs: str) -> Endpoint:
    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        desk = request.app.state.desk
        if request.method not in SAFE_METHODS:
            check_origin(request)
            if int(request.headers.get("content-length") or 0) > desk.upload_limit + 1024 * 1024:
                raise Refused(413, too_big(desk.platform.settings.desk_upload_mb))  # refused before it is read
        if needs != PUBLIC:
            person = signed_in(request)
            if person is None:
                raise Refused(401, "请先用个人登录链接登录（向平台管理员索取：louyu desk invite 人员编号）")
            if not allowed(person, needs):
                raise Refused(403, NOT_FOR_YOU[needs])
            request.state.person = person
            if request.method not in SAFE_METHODS:
                await check_csrf(request, person)
            else:  # a page shows what the repository holds now, also after changes made outside the desk
                await run_in_threadpool(desk.notice_outside_changes)
        return await endpoint(request)

    return guarded


async def upload_form(request: Request) -> FormData:
    """The posted form, each part within the desk's upload limit. Starlette keeps the parsed
    form on the request, so the CSRF check and the endpoint read the same one."""
    desk = request.app.state.desk
    try:
        return await request.form(max_part_size=desk.upload_limit)
    except HTTPException as exc:  # a part over the limit, or a body that is no form
        over = "size" in str(exc.detail).lower()
        raise Refused(413 if over else 400, too_big(desk.platform.settings.desk_upload_mb) if over else "上传的内容无法读取") from None


def too_big(limit_mb: int) -> str:
    return f"文件太大：每个文件最多 {limit_mb} MB（mkdocs.yml 中 louyu 设置 desk_upload_mb）。视频请压缩后再上传。"


def check_host(host_header: str, allowed: set[str]) -> bool:
    """Whether the Host header names a host the desk serves (port aside)."""
    host = urlsplit("//" + host_header).hostname if host_header else None
    return host is not None and host.lower() in allowed


def check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        raise Refused(403, "请求缺少来源（Origin），已拒绝：请在书桌的页面上操作")
    if urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        raise Refused(403, f"来自其他网站（{origin}）的请求，已拒绝")


async def check_csrf(request: Request, person: Person) -> None:
    given = request.headers.get("x-csrf-token", "")
    if not given and request.headers.get("content-type", "").startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await upload_form(request)
        value = form.get("csrf")
        given = value if isinstance(value, str) else ""
    if not request.app.state.desk.secrets.csrf_ok(person.session, given):
        raise Refused(403, "页面已过期或请求不是从书桌发出的（CSRF 校验失败）：请刷新页面后重试")


def signed_in(request: Request) -> Person | None:
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    desk = request.app.state.desk
    staff_id = desk.secrets.session(token)
    if staff_id is None:
        return None
    staff = desk.platform.staff().get(staff_id)
    if staff is None:  # taken off the station files since
        return None
    return Person(staff, desk.platform.stations[staff.station], desk.secrets.csrf_token(token), token)


def person_of(request: Request) -> Person:
    person: Person = request.state.person
    return person


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(COOKIE, token, max_age=30 * 24 * 3600, httponly=True, samesite="strict", secure=secure, path="/")


def template_context(request: Request, **values: Any) -> dict[str, Any]:
    person = getattr(request.state, "person", None)
    return {"request": request, "person": person, "csrf": person.csrf if person else "", **values}
