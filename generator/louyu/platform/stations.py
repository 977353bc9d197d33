"""stations/<id>.yml: a station, its address, rooms, screen and staff, checked against
their schema (every problem with its line)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import schema as s
from .model import ROLES, Staff, StaffKey, Station
from .problems import LouyuError, Problems
from .reading import read_text
from .yamlload import Document, load_yaml

STATION_ID = r"^[a-z0-9][a-z0-9-]{0,62}$"

PUBLIC_KEY = s.matching(r"^(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/=]+( .*)?$", "OpenSSH 公钥（一整行，即 .pub 文件的内容）")

STAFF_FIELDS = [
    s.Field("id", s.matching(STATION_ID, "小写字母、数字和连字符组成的编号"), True, "人员编号"),
    s.Field("name", s.text, True, "姓名"),
    s.Field("role", s.one_of(*ROLES), True, "instructor / admin / secrecy / maintainer / guide"),
    s.Field("key", PUBLIC_KEY),
    s.Field("keys", lambda v: v),  # checked entry by entry below
]

KEY_FIELDS = [
    s.Field("key", PUBLIC_KEY, True, "OpenSSH 公钥"),
    s.Field("valid_after", s.key_time, doc="公钥生效时间"),
    s.Field("valid_before", s.key_time, doc="公钥失效时间"),
]

STATION_FIELDS = [
    s.Field("name", s.text, True, "站点名称"),
    s.Field("kind", s.one_of("central", "substation"), True, "central 或 substation"),
    s.Field("building", s.text),
    s.Field("address", s.text, loses="关于页不会显示地址"),
    s.Field("hours", s.text, loses="关于页不会显示开放时间"),
    s.Field("phone", s.text, loses="关于页不会显示电话"),
    s.Field("email", s.text),
    s.Field("description", s.text, loses="关于页不会有站点介绍"),
    s.Field("sponsor", s.text, doc="本站网站的主办单位（页面底部）", loses="页面底部用平台的主办单位"),
    s.Field("contact", s.text, doc="本站页面底部的联系方式", loses="页面底部用平台的联系方式"),
    s.Field("area_m2", s.number),
    s.Field("rooms", s.text_list, loses="关于页不会列出功能室"),
    s.Field("staff", lambda v: v),  # checked entry by entry below
    s.Field("screen", lambda v: v),
]


def _seconds(value: Any) -> int:
    seconds = s.positive_int(value)
    if seconds < 3:
        raise s.Invalid(f"至少 3 秒，实际是 {seconds}")
    return seconds


SCREEN_FIELDS = [
    s.Field("slide_seconds", _seconds, doc="每页停留秒数"),
    s.Field("orientation", s.one_of("landscape", "portrait", "auto"), doc="屏幕方向"),
]


def load_stations(root: Path, problems: Problems) -> dict[str, Station]:
    folder = root / "stations"
    if not folder.is_dir():
        problems.error("stations", 1, "缺少 stations/ 文件夹：每个站点一个 <站点编号>.yml")
        return {}
    stations: dict[str, Station] = {}
    for path in sorted(folder.iterdir()):
        rel = f"stations/{path.name}"
        if path.suffix == ".yaml":
            problems.error(rel, 1, "站点文件的扩展名应为 .yml")
            continue
        if path.suffix != ".yml" or path.name.startswith("."):
            continue
        if not re.match(STATION_ID, path.stem):
            problems.error(rel, 1, f"站点编号 {path.stem!r} 不合规：只能用小写字母、数字和连字符，且以字母或数字开头")
            continue
        try:
            _, text = read_text(path, rel)
            doc = load_yaml(text, rel)
        except LouyuError as exc:
            problems.add(exc.problem)
            continue
        station = _station(path.stem, rel, doc, problems)
        if station:
            stations[station.id] = station
    centrals = [st for st in stations.values() if st.is_central]
    if stations and len(centrals) != 1:
        if not centrals:
            problems.error("stations", 1, "没有总站：须恰好有一个站点的 kind 为 central")
        for st in centrals[1:]:
            problems.error(st.path, 1, f"总站只能有一个：{centrals[0].path} 已是 central")
    if not stations:
        problems.error("stations", 1, "没有任何站点文件")
    seen: dict[str, Staff] = {}
    for st in stations.values():
        for person in st.staff:
            if person.id in seen:
                first = seen[person.id]
                problems.error(
                    st.path,
                    person.line,
                    f"人员编号 {person.id} 重复：已在 stations/{first.station}.yml 第 {first.line} 行使用",
                )
            else:
                seen[person.id] = person
    return stations


def _station(sid: str, rel: str, doc: Document, problems: Problems) -> Station | None:
    values = s.apply(doc, STATION_FIELDS, rel, problems)
    staff: list[Staff] = []
    raw_staff = values.pop("staff", None)
    if raw_staff is not None and not isinstance(raw_staff, list):
        problems.error(rel, doc.line("staff"), "staff 应为列表")
        raw_staff = None
    for i, _ in enumerate(raw_staff or []):
        person = s.apply(doc, STAFF_FIELDS, rel, problems, ("staff", i))
        keys = _keys(doc, rel, problems, i, person)
        if "key" in person and not keys:  # (one key: on the line of `key`)
            keys = (StaffKey(person["key"], line=doc.line("staff", i, "key")),)
        if {"id", "name", "role"} <= person.keys():
            staff.append(Staff(station=sid, line=doc.line("staff", i), keys=keys, **person))
    screen = values.pop("screen", None) or {}
    if not isinstance(screen, dict):
        problems.error(rel, doc.line("screen"), "screen 应为映射（如 slide_seconds: 10）")
        screen = {}
    elif screen:
        screen = s.apply(doc, SCREEN_FIELDS, rel, problems, ("screen",))
    if "name" not in values or "kind" not in values:
        return None
    return Station(id=sid, path=rel, staff=staff, screen=screen, **values)


def _keys(doc: Document, rel: str, problems: Problems, i: int, person: dict[str, Any]) -> tuple[StaffKey, ...]:
    """A person's `keys` (popped from `person`): each key with its validity."""
    raw = person.pop("keys", None)
    if raw is None:
        return ()
    line = doc.line("staff", i, "keys")
    if "key" in person:
        problems.error(rel, line, "key 和 keys 只能写一个：公钥换过的人把每个公钥都写进 keys（各带 valid_after / valid_before）")
        return ()
    if not isinstance(raw, list) or not raw:
        problems.error(rel, line, "keys 应为列表，每项是 {key: 公钥, valid_after: 生效时间, valid_before: 失效时间}")
        return ()
    keys = []
    for n, _ in enumerate(raw):
        where = ("staff", i, "keys", n)
        values = s.apply(doc, KEY_FIELDS, rel, problems, where)
        if "key" not in values:
            continue
        after, before = values.get("valid_after"), values.get("valid_before")
        if after is not None and before is not None and _naive(after) >= _naive(before):
            problems.error(rel, doc.line(*where, "valid_before"), "valid_before 应晚于 valid_after")
            continue
        keys.append(StaffKey(values["key"], after, before, doc.line(*where)))
    return tuple(keys)


def _naive(moment: Any) -> Any:
    # (to compare two bounds of one key: both in the same zone, or both without one)
    return moment.replace(tzinfo=None) if moment.utcoffset() is None else moment.astimezone(None).replace(tzinfo=None)
