"""The admin's side of the desk: their stations' items, the editor, uploads, save, 同步.

Every route here needs an admin (guard.ADMIN); every place written to is checked by
permissions.py against the person's stations, whatever the browser sent.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .app import page
from .guard import ADMIN, Routes, person_of
from .listing import FILTER_STATES, by_section, filtered, rows_for
from .permissions import writable_stations

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
    rows = filtered(rows_for(desk, stations), section, state, query)
    stale = [s for sid in stations for s in desk.workspace.stale.get(sid, [])]
    return page(
        request, "items.html", groups=by_section(rows), count=len(rows), stale=stale, section=section, state=state,
        query=query, states=FILTER_STATES, others=desk.workspace.other_problems,
    )
