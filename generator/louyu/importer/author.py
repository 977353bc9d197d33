"""Who an imported item is by: the platform's side of an import that every front end shares."""

from __future__ import annotations

from ..platform.model import Platform, Staff, Station
from ..platform.problems import UsageProblem


def choose_author(platform: Platform, station: Station, by: str | None) -> Staff:
    """The item's author: `by` if it is an admin of the station (or of the central station,
    as the item schema allows), else the station's only admin; a Chinese error otherwise."""
    admins = [p for p in station.staff if p.role == "admin"]
    central = [p for s in platform.stations.values() if s.is_central and s.id != station.id for p in s.staff if p.role == "admin"]
    listed = "、".join(f"{p.id}（{p.name}）" for p in admins + central) or "（无）"
    if by is not None:
        for person in admins + central:
            if person.id == by:
                return person
        raise UsageProblem("--by", 1, f"{by} 不是站点 {station.id} 或总站的平台管理员（admin），不能作为作者。可选：{listed}")
    if len(admins) == 1:
        return admins[0]
    if not admins:
        raise UsageProblem(
            "--by", 1, f"站点 {station.id} 没有平台管理员（admin）：请在 {station.path} 的 staff 中添加，或用 --by 指定总站的平台管理员：{listed}"
        )
    raise UsageProblem("--by", 1, f"站点 {station.id} 有 {len(admins)} 位平台管理员，请用 --by 指定作者：{listed}")
