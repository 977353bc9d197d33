"""content/<station>/<section>/<name>.md (or <name>/index.md): finding items, and parsing
one — its front matter against the schema, its author and audience, every file it
references (which must be in its folder), personal data in it."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from urllib.parse import unquote

from . import schema as s
from .digest import item_digest
from .model import ROLES, SCOPES, SECTIONS, FileRef, Finding, Item, Staff, Station
from .bounds import body_limits
from .personal import find_bank_cards, find_id_numbers, find_mobile_numbers, published_phones
from .documents import DOCUMENTS, documents_not_items
from .placeholders import find_placeholders, message as placeholder_message
from .problems import LouyuError, Problems
from .reading import entries, read_text
from .refs import EXTERNAL_SCHEMES, Literal, RefError, find_active_content, is_local, links_in_markdown, resolve, scheme_of
from .reuse import ParseItem, Place, Reuse
from .terms import TermList
from .visible import Seen, seen_in_markdown, seen_in_text
from .yamlload import Document, split_front_matter

ITEM_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _audience(value: Any) -> Any:
    if value == "all":
        return "all"
    ids = s.text_list(value)
    if not ids:
        raise s.Invalid("不能为空列表")
    return tuple(ids)


ITEM_FIELDS = [
    s.Field("title", s.text, True, "标题"),
    s.Field("date", s.date, True, "发布日期 YYYY-MM-DD"),
    s.Field("author", s.text, True, "作者的人员编号"),
    s.Field("audience", _audience, loses="条目只发给默认的站点（总站的发给所有站点，分站的只在本站）"),
    s.Field("summary", s.text, loses="列表、分享信息和显示屏上不会有摘要"),
    s.Field("tags", s.text_list, loses="网页上不会显示标签"),
    s.Field("cover", s.text, loses="不会显示封面图片"),
    s.Field("attachments", s.text_list, loses="附件不会列出，也不会随网站发布"),
    s.Field("expires", s.date, loses="条目到期后不会从列表、订阅和显示屏中撤下"),
    s.Field("start", s.naive_datetime),
    s.Field("end", s.naive_datetime, loses="活动页和日历不会有结束时间"),
    s.Field("location", s.text),
    s.Field("capacity", s.positive_int, loses="活动页不会显示名额"),
    s.Field("signup", s.text, loses="活动页不会显示报名方式"),
    s.Field("month", s.month),
    s.Field("activity", s.text, loses="新闻不会与它报道的活动相互链接"),
    s.Field("scope", s.one_of(*SCOPES), False, "公开范围：public（向社会公开）或 members（党内公开）"),
    s.Field("category", s.text),
    s.Field("issuer", s.text),
    s.Field("number", s.text),
]

SECTION_ONLY = {
    "start": "activities",
    "end": "activities",
    "location": "activities",
    "capacity": "activities",
    "signup": "activities",
    "month": "themes",
    "activity": "news",
    "category": "disclosures",
    "issuer": "disclosures",
    "number": "disclosures",
}

def _has_markdown(folder: str) -> bool:
    return any(Path(folder).rglob("*.md"))


def find_item_files(
    root: Path, stations: dict[str, Station], problems: Problems, documents: list[tuple[str, str, str]] | None = None,
) -> list[tuple[Path, str, str, str, bool]]:
    """(markdown path, station, section, name, is_bundle) of every item under content/.
    `documents` gets (path, station, section) of every Word or PDF file lying in a section
    folder itself: not an item, and said so unless an item there references it."""
    content = root / "content"
    found: list[tuple[Path, str, str, str, bool]] = []
    if not content.is_dir():
        return found
    for station_dir in entries(str(content)):
        rel_station = f"content/{station_dir.name}"
        if not _plain_folder(station_dir, rel_station, "条目应放在 content/<站点编号>/<栏目>/ 下", problems):
            continue
        if station_dir.name not in stations:
            if _has_markdown(station_dir.path):
                problems.error(rel_station, 1, f"没有站点 {station_dir.name}（stations/{station_dir.name}.yml 不存在）")
            continue
        for section_dir in entries(station_dir.path):
            rel_section = f"{rel_station}/{section_dir.name}"
            if not _plain_folder(section_dir, rel_section, "条目应放在栏目文件夹下：news、disclosures、resources、activities、themes", problems):
                continue
            if section_dir.name not in SECTIONS:
                if _has_markdown(section_dir.path):
                    problems.error(
                        rel_section, 1, f"未知栏目 {section_dir.name}：应为 {'、'.join(SECTIONS)} 之一"
                    )
                continue
            for entry in entries(section_dir.path):
                rel = f"{rel_section}/{entry.name}"
                stem, dot, suffix = entry.name.rpartition(".")
                is_dir, is_file = entry.is_dir(), entry.is_file()  # (both follow a symbolic link)
                if is_dir and os.path.isfile(f"{entry.path}/index.md"):
                    name, md, bundle = entry.name, Path(entry.path, "index.md"), True
                    rel = f"{rel}/index.md"
                elif is_file and dot and stem and suffix == "md":
                    name, md, bundle = stem, Path(entry.path), False
                else:
                    if is_dir and _has_markdown(entry.path):
                        problems.warning(f"{rel}/", 1, "文件夹中没有 index.md：其中的 Markdown 不是条目，不会发布")
                    elif is_dir and not entry.name.startswith(".") and any(os.scandir(entry.path)):  # files, no item
                        problems.warning(f"{rel}/", 1, "文件夹中只有文件、没有 index.md，不是条目（常见于书桌中上传后没有保存）：在书桌中新建名为 "
                                         f"{entry.name} 的条目继续编写，或删除此文件夹")
                    elif is_file and dot and stem and suffix.lower() in ("md", "markdown", "mdown") and suffix != "md":
                        problems.warning(rel, 1, "只有扩展名为小写 .md 的文件才是条目：请改名（例如 xxx.md）")
                    elif is_file and suffix.lower() in DOCUMENTS and documents is not None:
                        documents.append((rel, station_dir.name, section_dir.name))
                    continue
                if entry.is_symlink() or (bundle and md.is_symlink()):
                    problems.error(rel, 1, "条目不能是符号链接")
                    continue
                if not ITEM_NAME.match(name):
                    problems.error(rel, 1, f"条目名 {name!r} 不合规：只能用小写字母、数字和连字符")
                    continue
                found.append((md, station_dir.name, section_dir.name, name, bundle))
    return found


def _plain_folder(entry: os.DirEntry[str], rel: str, misplaced: str, problems: Problems) -> bool:
    """A real folder (not a file, not a symlink that may lead out of the platform)."""
    if not entry.is_dir():
        if entry.name.endswith(".md") and entry.name != ".md":
            problems.error(rel, 1, misplaced)
        return False
    if entry.is_symlink():
        problems.error(rel, 1, "content/ 下的文件夹不能是符号链接（可能指向平台之外）")
        return False
    return True


def load_items(
    root: Path, stations: dict[str, Station], staff: dict[str, Staff], terms: TermList, problems: Problems, reuse: Reuse
) -> list[Item]:
    items: list[Item] = []
    documents: list[tuple[str, str, str]] = []
    files: list[tuple[Path, str, Place, ParseItem]] = []
    for md, sid, section, name, bundle in find_item_files(root, stations, problems, documents):
        rel = md.relative_to(root).as_posix()
        parse = functools.partial(parse_item, root, md, rel, sid, section, name, bundle, stations, staff, terms=terms)
        files.append((md, rel, (sid, section, name, bundle), parse))
    reuse.ahead(root, files, stations, terms)
    for md, rel, place, parse_file in files:
        item = reuse.item(root, md, rel, place, stations, terms, problems, parse_file)
        if item is not None:
            items.append(item)
    documents_not_items(root, documents, items, problems)
    paths = {i.path: i for i in items}
    for item in items:
        if item.activity is not None:
            target = paths.get(item.activity)
            if target is None or target.section != "activities":
                problems.error(item.path, 1, f"activity 应为一个活动条目的路径（如 content/站点/activities/名称.md），找不到 {item.activity}")
                item.activity = None
            elif item.public and not target.public:
                problems.warning(item.path, 1, f"activity 指向党内公开（scope: members）的活动 {item.activity}：公开网站上不显示这一链接")
    return items


def parse_item(
    root: Path,
    md: Path,
    rel: str,
    sid: str,
    section: str,
    name: str,
    bundle: bool,
    stations: dict[str, Station],
    staff: dict[str, Staff],
    problems: Problems,
    raw: bytes | None = None,
    resolver: Resolver | None = None,
    terms: TermList | None = None,
) -> Item | None:
    """One item from its Markdown (read from `md`, or given as `raw` with a `resolver` for its files)."""
    try:
        if raw is None:
            raw, text = read_text(md, rel)
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise LouyuError(rel, 1, "文件不是 UTF-8 编码，请另存为 UTF-8") from None
        fm = split_front_matter(text, rel)
    except LouyuError as exc:
        problems.add(exc.problem)
        return None
    too_much = body_limits(fm.body, fm.body_line)
    for lineno, message in too_much:
        problems.error(rel, lineno, message)
    if too_much:
        return None
    phones = published_phones([st.phone for st in stations.values()])
    _check_personal_data(text, rel, phones, problems)
    for lineno, placeholder in find_placeholders(text, yaml=False):
        problems.warning(rel, lineno, placeholder_message(placeholder))
    for lineno, what in find_active_content(text):
        problems.warning(rel, lineno, f"{what}不会发布（网页中的脚本、事件和框架一律删除）")
    meta = fm.meta
    if not isinstance(meta.data, dict):
        problems.error(rel, 1, "front matter 应为“键: 值”形式的映射")
        return None
    n_before = problems.error_count
    values = s.apply(meta, ITEM_FIELDS, rel, problems)
    for key, only in SECTION_ONLY.items():
        if key in values and section != only:
            problems.warning(rel, meta.line(key), f"{key} 只用于 {only} 栏目（已忽略）")
            values.pop(key)
    _check_section_fields(values, section, rel, meta, problems)
    station = stations[sid]
    _check_author(values, station, stations, staff, rel, meta, problems)
    _check_audience(values, station, stations, rel, meta, problems)
    if problems.error_count > n_before or not {"title", "date", "author"} <= values.keys():
        return None
    default_audience = "all" if station.is_central else (sid,)
    item = Item(
        path=rel,
        station=sid,
        section=section,
        name=name,
        bundle=bundle,
        body=fm.body,
        body_line=fm.body_line,
        source=raw,
        folder=md.parent,
        audience=values.pop("audience", default_audience),
        **values,
    )
    if not _resolve_refs(item, resolver or (lambda t: resolve(t, item.folder, root)), meta, problems):
        return None
    if terms:
        item.findings = _words_in_item(item, meta, terms)
    if not _check_attachments(item, phones, terms, problems):
        return None
    for finding in item.findings:
        problems.at_level(finding.level, finding.path, finding.line, finding.message)
    item.digest = item_digest(item)
    return item


def _check_section_fields(values: dict[str, Any], section: str, rel: str, meta: Document, problems: Problems) -> None:
    if section == "activities":
        if "start" not in values and meta.data.get("start") is None:
            problems.error(rel, meta.line(), "活动缺少 start（开始时间 YYYY-MM-DD HH:MM）")
        if "location" not in values and meta.data.get("location") is None:
            problems.error(rel, meta.line(), "活动缺少 location（地点）")
        if "start" in values and "end" in values and values["end"] < values["start"]:
            problems.error(rel, meta.line("end"), "活动结束时间早于开始时间")
    if section == "disclosures" and "scope" not in values and meta.data.get("scope") is None:
        # No default: nobody should publish party affairs to the world by omission.
        problems.error(
            rel, meta.line(),
            "党务公开条目缺少 scope（公开范围）：向社会公开写 scope: public，只在党内公开写 scope: members",
        )
    if section == "themes" and "month" not in values and meta.data.get("month") is None:
        problems.error(rel, meta.line(), "每月主题缺少 month（YYYY-MM）")
    if "expires" in values and "date" in values and values["expires"] < values["date"]:
        problems.error(rel, meta.line("expires"), "expires 早于发布日期 date")


def _check_author(
    values: dict[str, Any],
    station: Station,
    stations: dict[str, Station],
    staff: dict[str, Staff],
    rel: str,
    meta: Document,
    problems: Problems,
) -> None:
    author = values.get("author")
    if author is None:
        return
    person = staff.get(author)
    line = meta.line("author")
    if person is None:
        problems.error(rel, line, f"author {author} 不是任何站点的人员{s.meant(author, staff)}")
    elif person.role != "admin":
        problems.error(rel, line, f"author {author} 的角色是 {ROLES[person.role]}，只有平台管理员（admin）可以发布内容")
    elif person.station != station.id and not stations[person.station].is_central:
        problems.error(rel, line, f"author {author} 是 {person.station} 的管理员，不能为 {station.id} 发布内容")


def _check_audience(
    values: dict[str, Any], station: Station, stations: dict[str, Station], rel: str, meta: Document, problems: Problems
) -> None:
    audience = values.get("audience")
    if isinstance(audience, tuple):
        for i, target in enumerate(audience):
            if target not in stations:
                problems.error(rel, meta.line("audience", i), f"audience 中的站点 {target} 不存在")


Resolver = Callable[[str], FileRef]

# Files a browser runs when opened from the site (same origin as every page): never published.
ACTIVE_FILES = {".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".js", ".mjs", ".xml", ".xsl", ".xslt", ".swf", ".php"}


def _check_kind(ref: FileRef, target: str) -> FileRef:
    suffix = PurePosixPath(ref.rel).suffix.lower()
    if suffix in ACTIVE_FILES:
        raise RefError(f"不能发布 {suffix} 文件：{target}（浏览器会执行其中的脚本；图片请转为 PNG/JPG，文档请转为 PDF）")
    return ref


def _resolve_refs(item: Item, resolver: Resolver, meta: Document, problems: Problems) -> bool:
    ok = True
    declared: list[tuple[str, int, str]] = []
    if item.cover:
        declared.append((item.cover, meta.line("cover"), "cover"))
    for i, att in enumerate(item.attachments):
        declared.append((att, meta.line("attachments", i), "attachments"))
    for target, line, key in declared:
        if not is_local(target):
            problems.error(item.path, line, f"{key} 应为条目文件夹内的文件，不能是网址：{target}")
            ok = False
            continue
        try:
            item.refs[target] = _check_kind(_declared(resolver, target), target)
        except RefError as exc:
            problems.error(item.path, line, f"{key}: {exc}")
            ok = False
    for link in links_in_markdown(item.body, item.body_line):
        if not is_local(link.target):
            scheme = scheme_of(link.target)
            if scheme is not None and scheme not in EXTERNAL_SCHEMES:
                problems.warning(item.path, link.line, f"链接 {link.target[:40]} 使用了不允许的协议 {scheme}:，发布时将被删除")
            elif link.media and (scheme in ("http", "https") or link.target.strip().startswith("//")):
                problems.warning(
                    item.path, link.line,
                    f"外部图片或音视频 {link.target[:60]} 不会显示：网站和显示屏须离线可用，请把文件放进条目文件夹再引用",
                )
            continue
        try:
            item.refs[link.target] = _check_kind(resolver(link.target), link.target)
        except RefError as exc:
            source_line = item.body.splitlines()[link.line - item.body_line] if link.line >= item.body_line else ""
            problems.error(item.path, link.line, str(exc) + _hint_for_link(resolver, link.target, source_line))
            ok = False
    return ok


def _declared(resolver: Resolver, path: str) -> FileRef:
    """A front-matter path names a file as it is written (`党章#第1版.pdf` has a `#` in its
    name); one not found that way is read as a link too (`学习%20资料.pdf`)."""
    if path == unquote(path) and "#" not in path and "?" not in path:
        return resolver(path)  # both readings are the same
    try:
        return resolver(Literal(path))
    except RefError as as_written:
        try:
            return resolver(path)
        except RefError:
            raise as_written from None


def _hint_for_link(resolver: Resolver, target: str, source_line: str = "") -> str:
    """In a Markdown link `#` starts an anchor and `?` a query, as on the web: say so when
    the file is there under the name as written. A space ends a link's file name: say so
    when the file is there under the name with the space."""
    spaced = re.search(r"\(\s*" + re.escape(target) + r"((?: [^()\s\"']+)+)\s*\)", source_line)
    if spaced:
        name = target + spaced.group(1)
        try:
            resolver(Literal(name))
        except RefError:
            pass
        else:
            return f"（文件名“{name}”中有空格：链接中请写成 {name.replace(' ', '%20')}，或用尖括号括起 <{name}>）"
    if "#" not in target and "?" not in target:
        return ""
    try:
        resolver(Literal(target))
    except RefError:
        return ""
    return "（链接里的 # 和 ? 有特殊含义：文件名中的 # 请写成 %23，? 写成 %3F，或把文件改名）"


TEXT_ATTACHMENTS = {".txt", ".md", ".csv", ".tsv", ".json", ".xml", ".html", ".htm", ".yml", ".yaml"}


def _check_personal_data(text: str, rel: str, phones: frozenset[str], problems: Problems) -> bool:
    """Identity and bank card numbers are errors, a person's mobile number a warning; each
    named masked, with its line. True when nothing stops publication."""
    ok = True
    for lineno, masked in find_id_numbers(text):
        problems.error(rel, lineno, f"含有居民身份证号码 {masked}：个人信息不得公开，请删除")
        ok = False
    for lineno, masked in find_bank_cards(text):
        problems.error(rel, lineno, f"含有银行卡号 {masked}：个人信息不得公开，请删除")
        ok = False
    for lineno, masked in find_mobile_numbers(text, phones):
        problems.warning(rel, lineno, f"含有手机号码 {masked}：个人手机号不宜公开（站点的对外电话写在 stations/ 的 phone 中，不会提示）")
    return ok


def _check_attachments(item: Item, phones: frozenset[str], terms: TermList | None, problems: Problems) -> bool:
    """Personal data and the lists' words in text attachments: the file would be published."""
    ok = True
    folder = PurePosixPath(item.path).parent
    for ref in item.files():
        suffix = PurePosixPath(ref.rel).suffix.lower()
        if suffix not in TEXT_ATTACHMENTS:
            continue
        text = ref.read().decode("utf-8", errors="replace")
        rel = f"{folder}/{ref.rel}"
        ok = _check_personal_data(text, rel, phones, problems) and ok
        if terms:
            seen = seen_in_markdown(text) if suffix == ".md" else seen_in_text(text)
            item.findings += _findings(terms, seen, rel)
    return ok


# Front matter a reader sees (on the item's page, in lists, on the screen).
SHOWN_FIELDS = ("title", "summary", "location", "tags")


def _words_in_item(item: Item, meta: Document, terms: TermList) -> list[Finding]:
    """The lists' words in what a reader sees of an item: front matter shown, then the body."""
    found: list[Finding] = []
    for key in SHOWN_FIELDS:
        value = getattr(item, key)
        for i, text in enumerate(value if isinstance(value, list) else [value] if value else []):
            line = meta.line(key, i) if isinstance(value, list) else meta.line(key)
            found += _findings(terms, seen_in_text(text.replace("\n", " "), line), item.path)
    found += _findings(terms, seen_in_markdown(item.body, item.body_line), item.path)
    return found


def _findings(terms: TermList, seen: Seen, path: str) -> list[Finding]:
    return [Finding(path, hit.line, hit.term.level, hit.message, hit.term.form) for hit in terms.find(seen)]
