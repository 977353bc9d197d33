"""The footer a site must carry to go live in China: who runs it and its two filing numbers.

- ICP 备案号, shown "在主页底部的中央位置" and linked to the MIIT filing system
  (《非经营性互联网信息服务备案管理办法》, 信息产业部令第33号, 第十三条), shaped like
  `苏ICP备12345678号` or `苏ICP备12345678号-1` (the number of a site under one filing).
- 公安机关备案号 (公安部 《计算机信息网络国际联网安全保护管理办法》): `苏公网安备32010202000123号`,
  a province and 14 digits, linked to its record on https://beian.mps.gov.cn/.
- 主办单位 (sponsor) and contact on every page: what government-site inspections look for.

A station may name its own sponsor and contact (stations/<id>.yml); the rest is the platform's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Platform, Settings, Station
from .problems import LouyuError, Problems

# The one-character names of China's provinces, autonomous regions and municipalities,
# as filing numbers begin with them.
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
ICP = re.compile(rf"^[{PROVINCES}]ICP备\d+号(-\d+)?$")
POLICE = re.compile(rf"^[{PROVINCES}]公网安备(\d{{14}})号$")
ICP_LINK = "https://beian.miit.gov.cn/"
POLICE_LINK = "https://beian.mps.gov.cn/#/query/webSearch?code={}"

KEYS = {
    "sponsor": "主办单位",
    "operator": "承办单位",
    "contact": "联系方式",
    "icp": "ICP 备案号",
    "police": "公安机关备案号",
}


class FooterError(ValueError):
    """A footer setting that does not fit; `key` is the entry it concerns (None: the whole)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def footer_of(value: object) -> dict[str, str]:
    """The `footer` setting, checked: texts, and filing numbers of the right shape."""
    if not isinstance(value, dict):
        raise FooterError(f"应为“键: 值”映射（{'、'.join(KEYS)}），实际是 {value!r}")
    footer: dict[str, str] = {}
    for key, text in value.items():
        if key not in KEYS:
            from .schema import meant

            raise FooterError(f"没有 {key} 这一项{meant(str(key), KEYS)}（可写：{'、'.join(KEYS)}）", str(key))
        if text is None:
            continue
        if not isinstance(text, (str, int)) or isinstance(text, bool):
            raise FooterError(f"{key}（{KEYS[key]}）应为文字，实际是 {text!r}", key)
        text = " ".join(str(text).split())
        if key == "icp" and not ICP.match(text):
            raise FooterError(f"icp 的格式不对：{text!r}（应如“苏ICP备12345678号”或“苏ICP备12345678号-1”，以省份简称开头）", key)
        if key == "police" and not POLICE.match(text):
            raise FooterError(f"police 的格式不对：{text!r}（应如“苏公网安备32010202000123号”：省份简称、公网安备、14 位数字、号）", key)
        if text:
            footer[key] = text
    return footer


@dataclass(frozen=True)
class FooterLines:
    """What a site's footer says, settled for one station (or for the portal)."""

    sponsor: str = ""
    operator: str = ""
    contact: str = ""
    icp: str = ""
    police: str = ""

    @property
    def police_link(self) -> str:
        m = POLICE.match(self.police)
        return POLICE_LINK.format(m.group(1)) if m else ""

    def __bool__(self) -> bool:
        return any((self.sponsor, self.operator, self.contact, self.icp, self.police))


def footer_lines(settings: Settings, station: Station | None = None) -> FooterLines:
    """The footer of a station's site (its own sponsor and contact first), or of the portal."""
    footer = settings.footer
    return FooterLines(
        sponsor=(station.sponsor if station and station.sponsor else footer.get("sponsor", "")),
        operator=footer.get("operator", ""),
        contact=(station.contact if station and station.contact else footer.get("contact", "")),
        icp=footer.get("icp", ""),
        police=footer.get("police", ""),
    )


def check_going_live(platform: Platform, problems: Problems) -> None:
    """`louyu check`: a platform with a public address is meant to be online, and a site in
    China must then show its ICP number and its 主办单位 (a station may name its own)."""
    if not platform.site_url:
        return
    from .yamlload import load_yaml

    rel = platform.config_file.name
    try:
        line = load_yaml(platform.config_file.read_text("utf-8"), rel, mkdocs_tags=True).line("site_url")
    except (OSError, ValueError, LouyuError):
        line = 1
    footer = platform.settings.footer
    if not footer.get("icp"):
        problems.warning(rel, line, "设置了 site_url（网站将上线），但 louyu 的 footer 中没有 icp（ICP 备案号）：境内网站须在首页底部中央显示备案号")
    without = [s.id for s in platform.stations.values() if not s.sponsor]
    if not footer.get("sponsor") and without:
        problems.warning(
            rel, line, "设置了 site_url（网站将上线），但 louyu 的 footer 中没有 sponsor（主办单位）：每个页面底部须写明网站主办单位"
            f"（未写 sponsor 的站点：{'、'.join(sorted(without))}）",
        )
