"""Signing in and out, and the start page that leads each person to their side of the desk.

The invite link (`louyu desk invite ID`) opens a page with one button: the token is used
only when the person presses it (a POST from this very page), so a messenger that opens
links to preview them cannot use up a one-time link, and the session cookie is set by a
same-site request (SameSite=Strict cookies are not sent after a cross-site navigation).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .app import page
from .guard import COOKIE, PUBLIC, SIGNED_IN, Refused, Routes, person_of, set_session_cookie

ROUTES = Routes()
INVALID = "登录链接无效、已用过或已过期：请向平台管理员索取新的链接（louyu desk invite 人员编号）"


@ROUTES.get("/", needs=SIGNED_IN)
async def start(request: Request) -> Response:
    person = person_of(request)
    if person.is_admin:
        return RedirectResponse("/items", status_code=303)
    if person.is_reviewer and any(r.path == "/review" for r in request.app.routes if hasattr(r, "path")):
        return RedirectResponse("/review", status_code=303)
    return page(request, "start.html")


@ROUTES.get("/signin", needs=PUBLIC)
async def signin_page(request: Request) -> Response:
    token = request.query_params.get("t", "")
    desk = request.app.state.desk
    staff_id = desk.secrets.is_open_invite(token)
    person = desk.platform.staff().get(staff_id) if staff_id else None
    if person is None:
        raise Refused(403, INVALID)
    return page(request, "signin.html", token=token, invited=person, station=desk.platform.stations[person.station])


@ROUTES.post("/signin", needs=PUBLIC)
async def signin(request: Request) -> Response:
    form = await request.form()
    token = form.get("t")
    desk = request.app.state.desk
    redeemed = desk.secrets.redeem(token) if isinstance(token, str) else None
    if redeemed is None or redeemed[0] not in desk.platform.staff():
        raise Refused(403, INVALID)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, redeemed[1], secure=request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https")
    return response


@ROUTES.post("/signout", needs=SIGNED_IN)
async def signout(request: Request) -> Response:
    request.app.state.desk.secrets.end_session(person_of(request).session)
    response = page(request, "refused.html", status=200, message="已退出登录。再次使用书桌需要新的个人登录链接。", signed_out=True)
    response.delete_cookie(COOKIE, path="/")
    return response
