"""The platform as plain typed objects: stations, staff, items, review decisions.

Nothing here reads files or renders pages; `loader.py` fills these objects in
and every later step (gate, publish, render) only reads them.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .folders import FOLDERS  # noqa: F401 - the platform's folders (named there for the no-op check)

SECTIONS: dict[str, str] = {
    "news": "新闻动态",
    "disclosures": "党务公开",
    "resources": "资料分享",
    "activities": "活动邀约",
    "themes": "每月活动主题",
}

ROLES: dict[str, str] = {
    "instructor": "党建指导员",
    "admin": "平台管理员",
    "secrecy": "保密审查员",
    "maintainer": "硬件维护员",
    "guide": "活动导览员",
}

# Who may give an approval a section asks for (the `approvals` setting).
APPROVER_KINDS: dict[str, str] = {"station": "本站指导员", "central": "总站指导员", "secrecy": "保密审查"}

# 公开范围 of an item (《中国共产党党务公开条例（试行）》 Art. 2: 在党内或者向党外): `public` items go to
# the public sites, `members` items only to the members' sites (`louyu build --members`).
SCOPES: dict[str, str] = {"public": "向社会公开", "members": "党内公开"}

# The default 党务公开目录: what a 基层党组织 discloses after 《中国共产党党务公开条例（试行）》
# (the louyu setting `catalogue` replaces it).
CATALOGUE: tuple[str, ...] = (
    "学习贯彻上级决策部署",
    "任期目标和重点任务",
    "学习教育和三会一课",
    "换届选举",
    "发展党员",
    "民主评议党员",
    "组织生活会",
    "党费收缴使用管理",
    "作风建设和联系服务群众",
    "落实管党治党责任",
    "组织处理和纪律处分",
    "其他事项",
)

DECISIONS: dict[str, str] = {"approved": "通过", "rejected": "退回", "withdrawn": "撤回"}

StationKind = Literal["central", "substation"]


@dataclass(frozen=True)
class StaffKey:
    """One public key of a staff member and when it is valid (OpenSSH allowed_signers'
    valid-after / valid-before). A bound without a time zone is in the platform's zone;
    None: no bound on that side."""

    key: str
    valid_after: dt.datetime | None = None
    valid_before: dt.datetime | None = None
    line: int = 1

    def valid_at(self, moment: dt.datetime, tz: dt.tzinfo) -> bool:
        after, before = aware(self.valid_after, tz), aware(self.valid_before, tz)
        return (after is None or moment >= after) and (before is None or moment < before)


def aware(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    return moment if moment is None or moment.tzinfo is not None else moment.replace(tzinfo=tz)


@dataclass(frozen=True)
class Staff:
    """A person of a station's staff (an admin or an instructor), as the station's file lists them."""

    id: str
    name: str
    role: str
    station: str
    key: str | None = None  # the `key` of the staff entry (one key, always valid)
    line: int = 1
    keys: tuple[StaffKey, ...] = ()  # every key with its validity: `keys`, or `key` as one entry

    def __post_init__(self) -> None:
        if self.key is not None and not self.keys:
            object.__setattr__(self, "keys", (StaffKey(self.key, line=self.line),))

    @property
    def has_keys(self) -> bool:
        return bool(self.keys)

    def keys_at(self, moment: dt.datetime, tz: dt.tzinfo) -> list[StaffKey]:
        """The keys valid at `moment`."""
        return [k for k in self.keys if k.valid_at(moment, tz)]

    def first_key_from(self, tz: dt.tzinfo) -> dt.datetime | None:
        """When the person's first key became valid; None when a key has always been valid
        (or there is none: see has_keys)."""
        starts = [aware(k.valid_after, tz) for k in self.keys]
        if not starts or any(s is None for s in starts):
            return None
        return min(s for s in starts if s is not None)


@dataclass
class Station:
    """The central station or a substation, as its file in stations/ describes it."""

    id: str
    name: str
    kind: StationKind
    path: str  # platform-relative, e.g. stations/zongzhan.yml
    building: str | None = None
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    email: str | None = None
    description: str | None = None
    area_m2: float | None = None
    rooms: list[str] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    screen: dict[str, Any] = field(default_factory=dict)
    sponsor: str | None = None  # 主办单位 of this station's site, where not the platform's
    contact: str | None = None  # its footer's contact line, where not the platform's

    @property
    def is_central(self) -> bool:
        return self.kind == "central"


@dataclass(frozen=True)
class FileRef:
    """A file an item references (cover, attachment, image or link in the body).

    It lives either on disk (`abs_path`) or, for a revision read from git
    history, in memory (`blob`).
    """

    rel: str  # normalised path relative to the item's folder, posix
    abs_path: Path | None
    size: int
    blob: bytes | None = None

    def read(self) -> bytes:
        if self.blob is not None:
            return self.blob
        assert self.abs_path is not None
        return self.abs_path.read_bytes()

    def source(self) -> "bytes | Path":
        """What the writer copies: the file on disk, or the bytes from history."""
        if self.blob is not None:
            return self.blob
        assert self.abs_path is not None
        return self.abs_path


@dataclass(frozen=True)
class Finding:
    """A word of the platform's lists (terms/) found where a reader sees it: the file
    (the item's Markdown or a text attachment), line, level and message, and the word."""

    path: str
    line: int
    level: str
    message: str
    form: str


@dataclass
class Item:
    """One Markdown item of content/: its front matter, body and the files it references."""

    path: str  # platform-relative path of the Markdown, e.g. content/a/news/x.md
    station: str  # owner
    section: str
    name: str
    bundle: bool
    title: str
    date: dt.date
    author: str
    audience: tuple[str, ...] | Literal["all"]
    body: str
    body_line: int
    source: bytes  # the Markdown file's bytes, as hashed
    folder: Path  # absolute folder that references resolve in
    summary: str | None = None
    tags: list[str] = field(default_factory=list)
    cover: str | None = None
    attachments: list[str] = field(default_factory=list)
    expires: dt.date | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    location: str | None = None
    capacity: int | None = None
    signup: str | None = None
    month: str | None = None
    activity: str | None = None
    scope: str = "public"  # SCOPES: who may see it
    category: str | None = None  # disclosures: the catalogue entry (Settings.catalogue)
    issuer: str | None = None  # disclosures: 发布机构 (None: the owning station)
    number: str | None = None  # disclosures: 文号
    refs: dict[str, FileRef] = field(default_factory=dict)  # raw target -> resolved file
    digest: str = ""
    revision: str | None = None  # the git commit it was read from, when not the working tree
    findings: list[Finding] = field(default_factory=list)  # words of the platform's lists in it

    @functools.cached_property
    def url(self) -> str:
        """The item's page, relative to a station site's root; the same on every site.
        (Asked for several times per page of every site: made once; an item's section,
        station and name are never changed once it is loaded.)"""
        return f"{self.section}/{self.station}/{self.name}/"

    @functools.cached_property
    def date_text(self) -> str:
        """`date` as ISO text (in every station's sitemap that lists the item): made once."""
        return self.date.isoformat()

    @property
    def public(self) -> bool:
        return self.scope == "public"

    @property
    def ledger_path(self) -> str:
        return f"reviews/{self.station}/{self.section}/{self.name}.yml"

    def reaches_beyond_owner(self) -> bool:
        if self.audience == "all":
            return True
        return any(s != self.station for s in self.audience)

    def addressed_to(self, station_id: str) -> bool:
        if station_id == self.station:
            return True
        return self.audience == "all" or station_id in self.audience

    def files(self) -> list[FileRef]:
        """Distinct referenced files, sorted by path."""
        unique = {ref.rel: ref for ref in self.refs.values()}
        return [unique[k] for k in sorted(unique)]


@dataclass(frozen=True)
class Decision:
    """One line of an item's ledger in reviews/: who approved, rejected or withdrew which revision, and when."""

    decision: str
    digest: str
    by: str
    at: dt.datetime
    line: int
    note: str | None = None
    signature: str | None = None


# How many days a section may go without a new published item before the report and
# `louyu check` say so (栏目更新情况). After the inspection practice for government websites
# (政府网站与政务新媒体检查指标, 2019): dynamic, news-type sections within 2 weeks; notices,
# disclosures and policy documents within 6 months. Activity invitations are news-type; a
# monthly theme is due every month (DB3212/T 1124: 每月至少设置 1 个活动主题).
STALE_AFTER: dict[str, int] = {"news": 14, "disclosures": 180, "resources": 180, "activities": 14, "themes": 31}


@dataclass
class Settings:
    """louyu's own settings, from the `louyu` plugin block of mkdocs.yml."""

    timezone: str = "Asia/Shanghai"
    require_signatures: bool = False
    per_page: int = 20
    home_items: int = 8
    stale_after: dict[str, int] = field(default_factory=lambda: dict(STALE_AFTER))
    # Sections that need more than one approval (三审), each in order: APPROVER_KINDS.
    approvals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The platform's 党务公开目录: the entries a disclosure's `category` may name, in order.
    catalogue: tuple[str, ...] = CATALOGUE
    # The members' sites' base URL (louyu build --members), as site_url is the public sites'.
    members_url: str | None = None
    desk_upload_mb: int = 50  # the desk's largest upload
    desk_url: str | None = None  # the desk's address for invite links
    # The footer of every page: sponsor, operator, contact, icp, police (platform/footer.py).
    footer: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.approvals = {section: tuple(kinds) for section, kinds in self.approvals.items()}  # (lists, from the cache)
        self.catalogue = tuple(self.catalogue)


@dataclass(frozen=True)
class ConfigFacts:
    """What the renderer needs from the validated mkdocs.yml besides MkDocs itself: kept
    in the build cache, so that a small rebuild need not load and validate MkDocs."""

    site_description: str
    logo: str | None  # the logo file found in the theme folders
    primary: str  # the palette's primary colour name
    theme_dirs: tuple[str, ...]
    markdown: str  # fingerprint of the Markdown extensions and their settings
    # The extensions and their settings as JSON, when they are plain data (not `!!python/name`
    # objects): then converting an item needs no MkDocs validation (platform/config.py).
    markdown_settings: str | None = None


@dataclass
class Platform:
    """Everything read from the platform's repository: settings, stations, items and ledgers."""

    root: Path
    config_file: Path
    site_name: str
    site_url: str | None
    settings: Settings
    stations: dict[str, Station]
    items: list[Item]
    ledgers: dict[str, list[Decision]]  # item path -> decisions in ledger order
    mkdocs_config: Any = None  # the validated MkDocsConfig; only render/ looks inside (via mkdocs())
    facts: ConfigFacts | None = None
    terms: Any = None  # the word lists (platform/terms.py TermList), when the platform has any
    config_loader: Any = field(default=None, repr=False, compare=False)  # validates mkdocs.yml when first needed
    # A members' build (louyu build --members) has its own `site_url` (the louyu setting
    # members_url); `public_url` keeps the public sites' one: QR codes on screens and printed
    # notices always lead to the public pages.
    members_sites: bool = False
    public_url: str | None = None
    _staff: dict[str, Staff] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def central(self) -> Station:
        return next(s for s in self.stations.values() if s.is_central)

    def staff(self) -> dict[str, Staff]:
        # Asked for per item, decision and page: built once (stations do not change after load).
        if self._staff is None:
            self._staff = {p.id: p for s in self.stations.values() for p in s.staff}
        return self._staff

    def public_base(self) -> str | None:
        return self.public_url if self.members_sites else self.site_url

    def mkdocs(self) -> Any:
        """The validated MkDocsConfig, validated now if the build cache spared it so far."""
        if self.mkdocs_config is None and self.config_loader is not None:
            self.mkdocs_config = self.config_loader()
        return self.mkdocs_config

    def item(self, path: str) -> Item | None:
        return next((i for i in self.items if i.path == path), None)
