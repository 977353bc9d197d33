"""The admin's side of the desk: their stations' items, the editor, uploads, save, 同步.

Every route here needs an admin (guard.ADMIN); every place written to is checked by
permissions.py against the person's stations, whatever the browser sent.
"""

from __future__ import annotations

import difflib
import os
from typing import Any
from urllib.parse import quote, unquote, urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ..platform.model import SECTIONS
from .app import page
from .editing import Place, Placed, check_posted, compose, files_in, make_bundle, place_of, posted
from .gitops import Author, GitFailed, commit_paths, last_change, sync
from .guard import ADMIN, Refused, Routes, SIGNED_IN, person_of, too_big, upload_form
from .itemfile import fields_for, form_values, latin_name, read_item_or_salvage, version_of
from .listing import FILTER_STATES, by_section, filtered, item_of, rows_for
from .permissions import inside, may_see, safe_upload_name, writable_stations
from .preview import preview_document, renderer_for, stylesheets
from .workspace import Desk

ROUTES = Routes()
NAV = [("/items", "条目", ADMIN)]


@ROUTES.get("/items", needs=ADMIN)
async def items(request: Request) -> Response:
    """Their stations' items by section, newest first, with state and problems; filter, search."""
    desk = request.app.state.desk
    person = person_of(request)
    stations = writable_stations(desk.platform, person.staff)
    q = request.query_params
    section, state, query = q.get("section", ""), q.get("state", ""), q.get("q", "")
    number = int(q.get("page", "1")) if q.get("page", "1").isdigit() else 1
    rows = filtered(rows_for(desk, stations), section, state, query)
    groups, pages = by_section(rows, section, number)
    stale = [s for sid in stations for s in desk.stale_sections(sid)]
    return page(
        request, "items.html", groups=groups, count=len(rows), stale=stale, section=section, state=state,
        query=query, states=FILTER_STATES, others=desk.workspace.other_problems, number=min(number, pages), pages=pages,
    )


# --- a new item: section and title, the Latin name made for them ----------------------------


def _taken(desk: Desk, station: str, section: str) -> set[str]:
    folder = desk.root / "content" / station / section
    return {e.name.removesuffix(".md") for e in os.scandir(folder)} if folder.is_dir() else set()


@ROUTES.get("/new", needs=ADMIN)
async def new_item(request: Request) -> Response:
    person = person_of(request)
    return page(request, "new.html", stations=writable_stations(request.app.state.desk.platform, person.staff))


@ROUTES.get("/name", needs=ADMIN)
async def suggest_name(request: Request) -> Response:
    """The Latin name a title gives (pinyin), free in the person's station and the section."""
    desk = request.app.state.desk
    person = person_of(request)
    section = request.query_params.get("section", "news")
    taken = _taken(desk, person.staff.station, section) if section in SECTIONS else set()
    return JSONResponse({"name": latin_name(request.query_params.get("title", ""), taken)})


@ROUTES.post("/new", needs=ADMIN)
async def create_item(request: Request) -> Response:
    desk = request.app.state.desk
    person = person_of(request)
    form = await request.form()
    section, title = str(form.get("section", "")), str(form.get("title", "")).strip()
    station = str(form.get("station") or person.staff.station)
    if not title:
        raise Refused(400, "请填写标题")
    name = str(form.get("name", "")).strip() or latin_name(title, _taken(desk, station, section) if section in SECTIONS else set())
    place = place_of(desk, person, f"content/{station}/{section}/{name}")
    if place.exists or place.folder.exists():
        raise Refused(409, f"{SECTIONS[section]}中已有名为 {name} 的条目：请换一个名称")
    return RedirectResponse(f"/edit/{place.key}?{urlencode({'title': title})}", status_code=303)


# --- the editor ------------------------------------------------------------------------------


def _editor(request: Request, place: Place, data: dict[str, Any], placed: Placed | None = None, status: int = 200, **extra: Any) -> Response:
    desk = request.app.state.desk
    platform = desk.platform
    item = item_of(desk, place.key)
    activities = sorted(
        (i for i in platform.items if i.section == "activities" and i.station == place.station), key=lambda i: i.date, reverse=True
    )
    return page(
        request, "edit.html", status=status, place=place, data=data, fields=fields_for(place.section), files=files_in(place),
        stations=platform.stations, activities=activities, placed=placed or Placed(), version=version_of(place.md, place.folder),
        review=desk.review_of(item) if item is not None else None, limit_mb=platform.settings.desk_upload_mb,
        asked=desk.withdrawal_requests().get(item.path) if item is not None else None,
        word_import=request.app.state.word_import, catalogue=platform.settings.catalogue, **extra,
    )


@ROUTES.get("/edit/{key:path}", needs=ADMIN)
async def edit(request: Request) -> Response:
    desk = request.app.state.desk
    person = person_of(request)
    place = place_of(desk, person, request.path_params["key"])
    if place.exists:
        meta, body, broken = read_item_or_salvage(place.md)
        data = {**form_values(meta), "body": body}
        rel = place.md.relative_to(desk.root).as_posix()
        written, _, placed = check_posted(desk, person, place, data)
        return _editor(request, place, data, placed, saved=request.query_params.get("saved"), rel=rel, broken=broken)
    # (a new disclosure has no 公开范围 until the admin chooses one: nobody publishes party
    # affairs to the world by omission, in the desk as on the command line)
    data = {"title": request.query_params.get("title", ""), "date": desk.today().isoformat(), "body": ""}
    return _editor(request, place, data, new=True)


@ROUTES.post("/check/{key:path}", needs=ADMIN)
async def check(request: Request) -> Response:
    """What `check` finds in the item as the form has it now (nothing is written)."""
    desk = request.app.state.desk
    place = place_of(desk, person_of(request), request.path_params["key"])
    _, _, placed = check_posted(desk, person_of(request), place, posted(await request.form()))
    return JSONResponse(placed.as_json())


@ROUTES.post("/preview/{key:path}", needs=ADMIN)
async def preview(request: Request) -> Response:
    """The item's page body as the sites will show it (louyu's own conversion and sanitising)."""
    desk = request.app.state.desk
    person = person_of(request)
    place = place_of(desk, person, request.path_params["key"])
    _, item, placed = check_posted(desk, person, place, posted(await request.form()))
    if item is None:
        notice = '<!doctype html><html lang="zh-CN"><body><p>有错误（见红色提示），改正后显示预览。</p></body></html>'
        return JSONResponse({"html": notice, "problems": placed.as_json()})
    if desk.renderer is None:
        desk.renderer = renderer_for(desk.platform)
    return JSONResponse({"html": preview_document(desk.renderer, desk.platform, item, f"/file/{place.key}/"), "problems": placed.as_json()})


@ROUTES.get("/preview-css/{name}", needs=SIGNED_IN)
async def preview_css(request: Request) -> Response:
    found = stylesheets().get(request.path_params["name"])
    if found is None:
        raise Refused(404, "没有这个样式表")
    return FileResponse(found, media_type="text/css")


@ROUTES.get("/file/{key:path}", needs=SIGNED_IN)
async def item_file(request: Request) -> Response:
    """A file of an item's folder (pictures in the editor and the preview), for those who may
    see the item: admins of its station and reviewers of it or the central station."""
    desk = request.app.state.desk
    person = person_of(request)
    key, _, name = request.path_params["key"].rpartition("/")
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "content" or parts[1] not in desk.platform.stations:
        raise Refused(404, "没有这个文件")
    if not may_see(desk.platform, person.staff, parts[1]):
        raise Refused(403, "您不能查看这个站点的文件")
    name = safe_upload_name(unquote(name)) if not name.lower().endswith(".md") else ""
    target = inside(desk.root / key, name) if name else None
    if target is None or not target.is_file():
        raise Refused(404, "没有这个文件")
    # Served as a download-safe file: never run, never sniffed as a page.
    return FileResponse(target, headers={"Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'", "X-Content-Type-Options": "nosniff"})


# --- uploads -------------------------------------------------------------------------------


@ROUTES.post("/upload/{key:path}", needs=ADMIN)
async def upload(request: Request) -> Response:
    """Files into the item's folder, byte for byte (a phone photo keeps its EXIF orientation,
    which browsers honour); each name checked (permissions.safe_upload_name), the size limited."""
    desk = request.app.state.desk
    person = person_of(request)
    limit = desk.upload_limit
    place = place_of(desk, person, request.path_params["key"])
    form = await upload_form(request)
    uploads = [f for f in form.getlist("file") if isinstance(f, UploadFile)]
    if not uploads:
        raise Refused(400, "没有收到文件")
    names = [safe_upload_name(f.filename or "") for f in uploads]
    if any((f.size or 0) > limit for f in uploads):  # (Starlette limits text fields, not files)
        raise Refused(413, _too_big(desk))
    with desk.write_lock:
        if str(form.get("version", "")) != version_of(place.md, place.folder) and place.exists:
            raise Refused(409, "上传前，此条目已被别人修改并保存：请刷新页面（您输入的内容请先复制保存）")
        if place.exists:
            place = make_bundle(place)
        place.folder.mkdir(parents=True, exist_ok=True)
        stored = []
        for f, name in zip(uploads, names):
            data = await f.read()
            target = inside(place.folder, name)
            tmp = place.folder / f".{name}.upload"
            tmp.write_bytes(data)
            os.replace(tmp, target)
            stored.append(name)
    return JSONResponse({
        "files": stored, "all": files_in(place), "version": version_of(place.md, place.folder),
        "markdown": [_reference(n) for n in stored],
    })


def _what_to_fix(place: Place, placed: Placed) -> str:
    """The banner of a refused save names the fields and lines to fix (a phone shows one at a time)."""
    labels = {f.key: f.label for f in fields_for(place.section)}
    where = [f"“{labels.get(k, k)}”" for k, ps in placed.fields.items() if any(p.level == "error" for p in ps)]
    where += [f"正文第 {n} 行" for n, ps in sorted(placed.lines.items()) if any(p.level == "error" for p in ps)]
    if any(p.level == "error" for p in placed.other):
        where.append("页面下方列出的其他文件")
    return f"有错误，未保存：请修改{'、'.join(where) or '红色提示处'}（见红色提示）后再保存。您写的内容都还在。"


def _too_big(desk: Desk) -> str:
    return too_big(desk.platform.settings.desk_upload_mb)


def _reference(name: str) -> str:
    """How the body refers to an uploaded file: a picture shown, anything else linked."""
    link = quote(name)
    if name.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")):
        return f"![{name.rsplit('.', 1)[0]}]({link})"
    return f"[{name}]({link})"


# --- saving ---------------------------------------------------------------------------------


@ROUTES.post("/save/{key:path}", needs=ADMIN)
async def save(request: Request) -> Response:
    """Write the item and commit exactly its files as the person; refused (nothing written)
    while `check` finds errors in it, or when someone saved it since the page was opened."""
    desk = request.app.state.desk
    person = person_of(request)
    data = posted(await request.form())
    with desk.write_lock:
        place = place_of(desk, person, request.path_params["key"])
        current = version_of(place.md, place.folder)
        if str(data.get("version", "")) != current and (place.exists or files_in(place)):
            return _conflict(request, place, data)
        written, item, placed, problems = check_posted(desk, person, place, data, with_problems=True)
        if item is None or placed.errors:
            return _editor(request, place, data, placed, status=422, failed=_what_to_fix(place, placed), new=not place.exists)
        place.md.parent.mkdir(parents=True, exist_ok=True)
        tmp = place.md.with_name(f".{place.md.name}.saving")
        tmp.write_text(written.text, "utf-8")
        os.replace(tmp, place.md)
        verb = "修改" if place.exists else "新建"
        author = Author(person.staff.name, f"{person.staff.id}@louyu.invalid")
        try:
            commit = commit_paths(desk.root, place.paths(), author, f"{verb}{SECTIONS[place.section]}：{item.title}（书桌，{person.staff.name}）")
        except GitFailed as exc:
            raise Refused(500, f"已写入文件，但 git 提交失败：{exc}") from None
        desk.replace_item(place.key, item, problems)
    return RedirectResponse(f"/edit/{place.key}?{urlencode({'saved': commit or 'unchanged'})}", status_code=303)


def _conflict(request: Request, place: Place, data: dict[str, Any]) -> Response:
    """Someone saved the item since this page was opened: show what changed, keep what was typed."""
    desk = request.app.state.desk
    theirs = place.md.read_text("utf-8", errors="replace") if place.md.is_file() else ""
    mine = compose(desk, person_of(request), place, data).text
    diff = list(difflib.unified_diff(theirs.splitlines(), mine.splitlines(), "已保存的版本", "您的版本", lineterm="", n=2))
    who = last_change(desk.root, [f"{place.key}.md", f"{place.key}/"])
    message = "保存前，此条目已被" + (f" {who[0]}（{who[1][:16].replace('T', ' ')}）" if who else "别人") + "修改并保存。您的内容还在下面的编辑框中，没有丢失；请对照下方的差异，确认后再次保存（将以您的版本为准）。"
    return _editor(request, place, data, status=409, conflict=message, diff=diff)


# --- 同步 and withdrawal ---------------------------------------------------------------------


@ROUTES.post("/sync", needs=SIGNED_IN)
async def sync_now(request: Request) -> Response:
    desk = request.app.state.desk
    person = person_of(request)
    with desk.write_lock:
        result = sync(desk.root, Author(person.staff.name, f"{person.staff.id}@louyu.invalid"))
        if result.changed:
            desk.reload()
    return page(request, "synced.html", status=200 if result.ok else 409, result=result)


@ROUTES.post("/withdraw/{key:path}", needs=ADMIN)
async def ask_withdrawal(request: Request) -> Response:
    """An admin asks for an item to be taken off the sites: the instructors decide (history stays)."""
    desk = request.app.state.desk
    person = person_of(request)
    place = place_of(desk, person, request.path_params["key"])
    item = item_of(desk, place.key)
    if item is None:
        raise Refused(404, "此条目还没有保存，或有错误未能读取：不需要撤回")
    reason = str((await request.form()).get("reason", "")).strip()
    if not reason:
        raise Refused(400, "请写明申请撤回的原因")
    desk.ask_withdrawal(item.path, person.staff.id, reason)
    return RedirectResponse(f"/edit/{place.key}", status_code=303)
