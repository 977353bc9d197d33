"""The instructors' side of the desk: what waits for them, an item as it will look and what
changed, and deciding (通过 / 退回 / 撤回), signed in the browser where keys are in use.

The rules are the gate's (review/decide.py checks a decision exactly as `louyu review
approve` would, then appends it through review/ledger.py); this module only reads forms,
shows pages and commits the ledgers in the instructor's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..platform.catalogue import scope_hint
from ..platform.clock import now
from ..platform.ledgers import load_ledger
from ..platform.model import SECTIONS, DECISIONS, FileRef, Item, StaffKey, Station
from ..platform.problems import LouyuError, Problems
from ..platform.stations import load_stations
from ..review import decide as gate_decide
from ..review.gate import STATE_LABELS, needs_signature, refusal, zone
from ..review.history import last_commit_times
from .app import page, wants_json
from .guard import ADMIN, REVIEWER, Person, Refused, Routes, person_of
from .listing import item_of
from .permissions import writable_stations
from .review_support import (
    approved_revision, is_public_key_line, register_key, commit_ledgers, key_requests, preview_page, record_key_request, station_entry,
)
from .review_view import (
    Waiting, char_diff, file_changes, front_matter_changes, oldest_first, shortened, waited, waiting_for,
)
from .workspace import Desk, item_key

ROUTES = Routes()
FRESH = dt.timedelta(minutes=10)  # how old the `at` a browser signed may be when it arrives


def waiting_count_label(request: Request) -> str:
    """The menu entry with the count, on every desk page."""
    return f"待审核（{len(_waiting(request.app.state.desk, person_of(request)))}）"


NAV = [("/review", waiting_count_label, REVIEWER), ("/review/key", "我的签名密钥", REVIEWER)]


def fresh_stations(request: Request) -> None:
    """Read the platform again when a station file changed since it was loaded (an admin
    added an instructor's new key in a terminal or through 同步): keys are read from there.
    By content, not time (a copy or a checkout may keep a file's time)."""
    desk: Desk = request.app.state.desk
    h = hashlib.sha256()
    try:
        for path in sorted((desk.root / "stations").glob("*.yml")):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return
    latest = h.hexdigest()
    seen = getattr(request.app.state, "stations_seen", None)
    if seen is None:  # first asked: compare the keys the desk holds with the files' own
        request.app.state.stations_seen = latest
        if _keys_of(load_stations(desk.root, Problems())) != _keys_of(desk.platform.stations):
            desk.reload()
    elif latest != seen:
        desk.reload()
        request.app.state.stations_seen = latest


def _keys_of(stations: dict[str, Station]) -> dict[str, tuple[StaffKey, ...]]:
    return {p.id: p.keys for s in stations.values() for p in s.staff}


def _waiting(desk: Desk, person: Person, items: list[Item] | None = None) -> list[Waiting]:
    return waiting_for(
        desk.platform, person.staff, desk.review_of, lambda item: desk.problems_of(item_key(item.path)), items
    )


@ROUTES.get("/review", needs=REVIEWER)
async def waiting_list(request: Request) -> Response:
    """Oldest first; items of one station and section can be decided together."""
    fresh_stations(request)
    desk: Desk = request.app.state.desk
    person = person_of(request)
    rows = _waiting(desk, person)
    rows = oldest_first(desk.platform, rows, last_commit_times(desk.root, [w.item.path for w in rows]))
    moment = now(desk.platform.settings.timezone)
    groups: dict[tuple[str, str], list[Waiting]] = {}
    for w in rows:
        groups.setdefault((w.item.station, w.item.section), []).append(w)
    asked = desk.withdrawal_requests()
    withdrawals = [
        (item, asked[item.path]) for item in desk.platform.items
        if item.path in asked and not refusal(desk.platform, item, person.staff)
    ]
    return page(
        request, "review_list.html", rows=rows, groups=list(groups.items()), moment=moment, waited=waited,
        withdrawals=withdrawals, done=request.query_params.get("done", ""), signs=needs_signature(desk.platform, person.staff, moment),
        key_of=item_key,
    )


@ROUTES.get("/review/item/{rest:path}", needs=REVIEWER)
async def item_page(request: Request) -> Response:
    """content/<station>/<section>/<name>/ : the page; .../<file>: a file of the current
    revision; .../@approved/<file>: a file of the last approved revision."""
    desk: Desk = request.app.state.desk
    person = person_of(request)
    parts = request.path_params["rest"].split("/")
    item = _item_for(desk, person, "/".join(parts[:4]))
    tail = parts[4:]
    if not tail:
        return RedirectResponse(f"/review/item/{item_key(item.path)}/", status_code=308)
    if tail != [""]:
        if tail[0] == "@approved":
            old = approved_revision(request.app.state, desk, item)
            return _file(old, "/".join(tail[1:]))
        return _file(item, "/".join(tail))
    return item_view(request, desk, person, item)


def item_view(request: Request, desk: Desk, person: Person, item: Item, message: str = "", status: int = 200) -> Response:
    platform = desk.platform
    r = desk.review_of(item)
    old = approved_revision(request.app.state, desk, item) if r.approved_digest else None
    old_text = old.body if old else ""
    mine = _waiting(desk, person, [item])
    # (the central site shows every station's items, 总站统筹管理; the others what is addressed to them)
    shown_on = [s.name for s in platform.stations.values() if s.is_central or item.addressed_to(s.id)]
    if not item.public:  # 党内公开: the members' sites only
        shown_on = [f"{name}（党员网站）" for name in shown_on]
    return page(
        request, "review_item.html", status=status, item=item, review=r, state=STATE_LABELS[r.state],
        section=SECTIONS.get(item.section, item.section), station=platform.stations[item.station],
        author=platform.staff().get(item.author), turn=mine[0].turn() if mine else r.progress(),
        waiting=bool(mine), shown_on=shown_on, preview=preview_page(desk, item, f"/review/item/{item_key(item.path)}/"),
        diff=shortened(char_diff(old_text.strip("\n"), item.body.strip("\n"))), old=old, never_approved=r.approved_digest is None,
        fields=front_matter_changes(platform, item, old), files=file_changes(old, item),
        problems=desk.problems_of(item_key(item.path)), findings=item.findings, message=message,
        may_withdraw=r.state in ("published", "changed"), signs=needs_signature(platform, person.staff, now(platform.settings.timezone)),
        base=f"/review/item/{item_key(item.path)}/", withdrawal=desk.withdrawal_requests().get(item.path),
        scope_hint=(scope_hint(item) or (0, ""))[1],
        history=[(ru, platform.staff().get(ru.decision.by)) for ru in r.rulings], DECISIONS=DECISIONS,
    )


def _item_for(desk: Desk, person: Person, key: str) -> Item:
    item = item_of(desk, key)
    if item is None:
        raise Refused(404, f"没有条目 {key}（可能已删除或改名，或有错误）")
    why = refusal(desk.platform, item, person.staff)
    if why:
        raise Refused(403, f"{person.staff.id} 不能审核此条目：{why}")
    return item


def _file(item: Item | None, rel: str) -> Response:
    """Only a file the item references: nothing else of the repository is reachable here."""
    ref: FileRef | None = next((f for f in item.files() if f.rel == rel), None) if item else None
    if ref is None:
        raise Refused(404, f"条目没有引用文件 {rel}")
    kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    return Response(ref.read(), media_type=kind, headers={"content-disposition": "inline"})


def _asked(form_items: list[str]) -> list[tuple[str, str]]:
    """Form values "path digest" (one per checked item) as (path, digest)."""
    out = []
    for value in form_items:
        path, _, digest = value.strip().partition(" ")
        if path:
            out.append((path, digest.strip()))
    return out


def _request(desk: Desk, person: Person, form: Any, signed: bool) -> gate_decide.Request:
    pairs = _asked([v for v in form.getlist("item") if isinstance(v, str)])
    # (A form sends its line breaks as CRLF: the armored signature is kept as ssh-keygen writes it.)
    signatures = [v.replace("\r\n", "\n").strip() + "\n" if v.strip() else "" for v in form.getlist("signature") if isinstance(v, str)]
    if signed and signatures and len(signatures) != len(pairs):
        raise Refused(400, "签名的数量与条目不符：请刷新页面后重试")
    items = [desk.platform.item(p) for p, _ in pairs]
    if len({(i.station, i.section) for i in items if i is not None}) > 1:
        raise Refused(400, "一次只能审核同一站点、同一栏目的条目")
    tz = desk.platform.settings.timezone
    at = now(tz).replace(microsecond=0)
    if signatures and any(signatures):
        try:
            at = dt.datetime.fromisoformat(str(form.get("at", "")))
        except ValueError:
            raise Refused(400, "签名缺少审核时间：请刷新页面后重试") from None
        if at.tzinfo is None or abs(now(tz) - at) > FRESH:
            raise Refused(400, "签名已过期（超过 10 分钟）或本机时间不对：请重新点一次")
    asked = tuple(
        gate_decide.Asked(p, d, (signatures[n] or None) if n < len(signatures) else None) for n, (p, d) in enumerate(pairs)
    )
    # Who decides is the signed-in person: a `by` in the form is never read.
    return gate_decide.Request(person.staff.id, str(form.get("decision", "")), asked, at, str(form.get("note", "") or ""))


NOT_JSON = object()


async def _json_body(request: Request) -> Any:
    """The JSON a page's script posted (NOT_JSON when the body is none)."""
    try:
        return await request.json()
    except ValueError:
        return NOT_JSON


@ROUTES.post("/review/prepare", needs=REVIEWER)
async def prepare(request: Request) -> Response:
    """What the browser is to sign for a decision: the time and one message per item."""
    desk: Desk = request.app.state.desk
    person = person_of(request)
    wanted = await _json_body(request)
    if wanted is NOT_JSON:
        raise Refused(400, "请求格式不对：请刷新页面后重试")
    form = _JsonForm(wanted)
    req = _request(desk, person, form, signed=False)
    try:
        checked = gate_decide.check(desk.platform, req, to_sign=True)
    except gate_decide.Refused as exc:
        return JSONResponse({"error": exc.message, "kind": exc.kind, "path": exc.path}, status_code=409)
    return JSONResponse({
        "at": req.at.isoformat(),
        "messages": [gate_decide.message_to_sign(item, req.decision, person.staff.id, req.at).decode("utf-8") for item, _ in checked.items],
    })


class _JsonForm:
    """A JSON body read like a form (the same parsing for both)."""

    def __init__(self, data: Any) -> None:
        self.data = data if isinstance(data, dict) else {}

    def getlist(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        return value if isinstance(value, list) else [value]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@ROUTES.post("/review/decide", needs=REVIEWER)
async def decide(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    fresh_stations(request)
    person = person_of(request)
    form = await request.form()
    req = _request(desk, person, form, signed=True)
    with desk.write_lock:
        try:
            done = gate_decide.decide(desk.platform, req)
        except gate_decide.Refused as exc:
            return _refused(request, desk, person, exc)
        _reread_ledgers(desk, [d.item for d in done])
        try:
            commit_ledgers(desk, person.staff, [d.item for d in done], req.decision, req.note)
        except LouyuError as exc:  # (the decisions are in the ledgers: they count, uncommitted)
            raise Refused(500, str(exc.problem)) from None
        if req.decision == "withdrawn":
            for d in done:
                desk.forget_withdrawal(d.item.path)
    said = f"已{DECISIONS[req.decision]} {len(done)} 个条目"
    if wants_json(request):
        return JSONResponse({"done": said, "next": "/review?done=" + said})
    return RedirectResponse("/review?done=" + said, status_code=303)


def _refused(request: Request, desk: Desk, person: Person, exc: gate_decide.Refused) -> Response:
    status = 409 if exc.kind in ("changed", "repeated", "state") else 400 if exc.kind in ("note", "decision", "item") else 403
    where = f"{exc.path}：" if exc.path else ""
    if exc.kind == "changed" and not wants_json(request):
        item = desk.platform.item(exc.path)
        if item is not None:  # show what changed since the page was opened: the page as it is now
            return item_view(request, desk, person, item, f"{exc.message}（下面是最新的内容和变化）", 409)
    raise Refused(status, where + exc.message)


def _reread_ledgers(desk: Desk, items: list[Item]) -> None:
    """The ledgers just appended to, read again into the workspace (not the whole platform)."""
    platform = desk.platform
    for item in items:
        decisions = load_ledger(desk.root / item.ledger_path, item.ledger_path, platform.staff(), Problems())
        if decisions is not None:
            platform.ledgers[item.path] = decisions
        desk.workspace.reviews.pop(item.path, None)


# -- the browser's key ------------------------------------------------------------------------


@ROUTES.get("/review/key", needs=REVIEWER)
async def key_page(request: Request) -> Response:
    fresh_stations(request)
    desk: Desk = request.app.state.desk
    person = person_of(request)
    asked = key_requests(desk).get(person.staff.id)
    me = desk.platform.staff().get(person.staff.id, person.staff)
    valid = me.keys_at(now(desk.platform.settings.timezone), zone(desk.platform))
    return page(
        request, "review_key.html", registered=" ".join(k.key.split()[1] for k in valid if len(k.key.split()) > 1), asked=asked,
        station_file=f"stations/{person.staff.station}.yml", required=desk.platform.settings.require_signatures,
    )


@ROUTES.post("/review/key", needs=REVIEWER)
async def key_made(request: Request) -> Response:
    """The public key line a browser made: kept for the station's admin to add (with valid_after)."""
    desk: Desk = request.app.state.desk
    person = person_of(request)
    data = await _json_body(request)
    line = str(data.get("key", "") if isinstance(data, dict) else "").strip()
    if not is_public_key_line(line):
        raise Refused(400, "不是一行 OpenSSH Ed25519 公钥（ssh-ed25519 AAAA… 注释）")
    entry = record_key_request(desk, person.staff, line)
    return JSONResponse({"snippet": station_entry(person.staff, entry["key"], entry["valid_after"])})


def _key_requests_for(desk: Desk, person: Person) -> list[tuple[str, dict[str, str], str]]:
    """The keys made in browsers that this admin may register (their station's people; a
    central admin: everyone's), with the entry to paste, leaving out those already registered."""
    # The person's station's admins, and the central station's (issue: "a central or station admin").
    stations = list(desk.platform.stations) if person.station.is_central else writable_stations(desk.platform, person.staff)
    staff = desk.platform.staff()
    found = []
    for sid, entry in sorted(key_requests(desk).items()):
        who = staff.get(sid)
        if who is None or who.station not in stations:
            continue
        if any(k.key.split()[:2] == entry["key"].split()[:2] for k in who.keys):
            continue  # added meanwhile
        found.append((sid, entry, station_entry(who, entry["key"], entry["valid_after"])))
    return found


def key_requests_label(request: Request) -> str:
    n = len(_key_requests_for(request.app.state.desk, person_of(request)))
    return f"密钥登记（{n}）" if n else "密钥登记"


NAV.append(("/keys", key_requests_label, ADMIN))


@ROUTES.get("/keys", needs=ADMIN)
async def key_requests_page(request: Request) -> Response:
    """What an admin adds to a station file for an instructor's new browser key."""
    fresh_stations(request)
    desk: Desk = request.app.state.desk
    return page(
        request, "review_keys.html", requests=_key_requests_for(desk, person_of(request)), stations=desk.platform.stations,
        done=request.query_params.get("done", ""),
    )


@ROUTES.post("/keys/{staff_id}", needs=ADMIN)
async def key_register(request: Request) -> Response:
    """The admin writes the key into the station file (checked, then committed in their name)."""
    desk: Desk = request.app.state.desk
    person = person_of(request)
    staff_id = request.path_params["staff_id"]
    if staff_id not in {sid for sid, _, _ in _key_requests_for(desk, person)}:
        raise Refused(403, f"没有 {staff_id} 在您管理的站点中的密钥登记申请")
    with desk.write_lock:
        try:
            rel = register_key(desk, person.staff, staff_id)
        except LouyuError as exc:
            raise Refused(409, str(exc.problem)) from None
        desk.reload()
        request.app.state.stations_seen = None  # (read again when next asked)
    return RedirectResponse(f"/keys?done=已把 {staff_id} 的公钥写入 {rel} 并提交", status_code=303)
