"""A Word document (.docx) imported into the editor: converted by `louyu import`'s own
converter (louyu.importer), its pictures stored in the item's folder like any upload, and
its title, summary, date and Markdown handed to the editor to fill in; nothing is saved
until the admin presses 保存 (the save commits it like any other edit).
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..importer import DocxError, convert, publication_date
from .editing import files_in, make_bundle, place_of
from .guard import ADMIN, Refused, Routes, person_of, too_big, upload_form
from .itemfile import version_of
from .permissions import inside, safe_upload_name

ROUTES = Routes()


@ROUTES.post("/import/{key:path}", needs=ADMIN)
async def import_word(request: Request) -> Response:
    desk = request.app.state.desk
    person = person_of(request)
    limit = desk.upload_limit
    place = place_of(desk, person, request.path_params["key"])
    form = await upload_form(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or "").lower().endswith(".docx"):
        raise Refused(400, "请选择 Word 文档（.docx）；.doc 请先用 Word 或 WPS 另存为 .docx")
    if (upload.size or 0) > limit:
        raise Refused(413, too_big(desk.platform.settings.desk_upload_mb))
    data = await upload.read()
    try:
        draft = convert(data, upload.filename or "文档.docx")
    except DocxError as exc:
        raise Refused(400, str(exc)) from None
    names = {safe_upload_name(name): content for name, content in draft.files.items()}
    with desk.write_lock:
        if place.exists and str(form.get("version", "")) != version_of(place.md, place.folder):
            raise Refused(409, "导入前，此条目已被别人修改并保存：请刷新页面")
        for name, content in names.items():
            target = inside(place.folder, name)
            if target.exists() and target.read_bytes() != content:
                raise Refused(409, f"条目文件夹中已有不同的 {name}：请在空白条目中导入")
        if names:
            place = make_bundle(place) if place.exists else place
            place.folder.mkdir(parents=True, exist_ok=True)
            for name, content in names.items():
                inside(place.folder, name).write_bytes(content)
    date, note = publication_date(draft.date, desk.today())
    return JSONResponse({
        "title": draft.title, "summary": draft.summary or "", "date": date.isoformat(), "body": draft.body,
        "notes": draft.notes + ([note] if note else []), "files": sorted(names), "all": files_in(place),
        "version": version_of(place.md, place.folder),
    })
