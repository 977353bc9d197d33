"""mkdocs.yml: the base configuration every station inherits, and louyu's own settings.

louyu's settings are a MkDocs plugin block (`plugins: [search, louyu: {...}]`)
declared with MkDocs' own option classes, so they are validated exactly like
MkDocs validates itself; louyu adds what MkDocs lacks: the line of a bad value.
"""

from __future__ import annotations

import copy
import re
import zoneinfo
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .model import APPROVER_KINDS, CATALOGUE, SECTIONS, STALE_AFTER, Settings
from .problems import LouyuError, Problems, os_reason
from .schema import ignored, meant
from .yamlload import YAML11_BOOLS, Document, load_yaml


class TimeZone(c.Type[str]):
    """An IANA time zone name such as Asia/Shanghai."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        name = super().run_validation(value)
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"未知的时区 {name!r}（例如 Asia/Shanghai）") from None
        return name


class PositiveInt(c.Type[int]):
    def __init__(self, default: int) -> None:
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        number = super().run_validation(value)
        if isinstance(number, bool) or number < 1:
            raise ValidationError(f"应为正整数，实际是 {value!r}")
        return number


class SectionDays(c.BaseConfigOption[dict[str, int]]):
    """Days per section ({news: 14, ...}); sections not named keep their default."""

    def __init__(self, default: dict[str, int]) -> None:
        super().__init__()
        self.default = dict(default)

    def run_validation(self, value: object) -> dict[str, int]:
        if value is None:
            return dict(self.default)
        if not isinstance(value, dict):
            raise ValidationError(f"应为“栏目: 天数”，例如 {{news: 14, disclosures: 180}}，实际是 {value!r}")
        days = dict(self.default)
        for section, n in value.items():
            if section not in SECTIONS:
                raise ValidationError(f"没有栏目 {section}{meant(str(section), SECTIONS)}（栏目：{'、'.join(SECTIONS)}）")
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValidationError(f"{section} 应为正整数（天数），实际是 {n!r}")
            days[section] = n
        return {s: days[s] for s in SECTIONS}


class SectionApprovals(c.BaseConfigOption[dict[str, tuple[str, ...]]]):
    """Approvals per section, in order (三审): {disclosures: [station, central]}."""

    def __init__(self) -> None:
        super().__init__()
        self.default: dict[str, tuple[str, ...]] = {}

    def run_validation(self, value: object) -> dict[str, tuple[str, ...]]:
        if value is None:
            return {}
        example = "例如 {disclosures: [station, central]}"
        if not isinstance(value, dict):
            raise ValidationError(f"应为“栏目: [审核人, …]”，{example}，实际是 {value!r}")
        approvals: dict[str, tuple[str, ...]] = {}
        for section, kinds in value.items():
            if section not in SECTIONS:
                raise ValidationError(f"没有栏目 {section}{meant(str(section), SECTIONS)}（栏目：{'、'.join(SECTIONS)}）")
            if isinstance(kinds, str):
                kinds = [kinds]
            if not isinstance(kinds, list) or not kinds:
                raise ValidationError(f"{section} 应为审核人列表，{example}，实际是 {kinds!r}")
            for kind in kinds:
                if kind not in APPROVER_KINDS:
                    raise ValidationError(
                        f"{section} 中的 {kind!r} 不是审核人：应为 station（本站指导员）、central（总站指导员）"
                        "或 secrecy（保密审查员）"
                    )
            if len(kinds) > 5:
                raise ValidationError(f"{section} 要求 {len(kinds)} 次审核：最多 5 次")
            approvals[section] = tuple(kinds)
        return approvals


class Catalogue(c.BaseConfigOption[tuple[str, ...]]):
    """The platform's 党务公开目录: a list of distinct entries, in the order they are shown."""

    def __init__(self) -> None:
        super().__init__()
        self.default = CATALOGUE

    def run_validation(self, value: object) -> tuple[str, ...]:
        if value is None or value is CATALOGUE:
            return CATALOGUE
        if not isinstance(value, list) or not value:
            raise ValidationError(f"应为目录条目的列表，例如 [换届选举, 发展党员, 其他事项]，实际是 {value!r}")
        entries: list[str] = []
        for entry in value:
            if isinstance(entry, bool) or not isinstance(entry, (str, int)) or not str(entry).strip():
                raise ValidationError(f"目录条目应为文字，实际是 {entry!r}")
            text = str(entry).strip()
            if text in entries:
                raise ValidationError(f"目录条目 {text} 重复")
            entries.append(text)
        return tuple(entries)


class Footer(c.BaseConfigOption[dict[str, str]]):
    """The footer of every page (sponsor, operator, contact, ICP and 公安 filing numbers);
    see platform/footer.py for the shapes of the two numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.default: dict[str, str] = {}

    def run_validation(self, value: object) -> dict[str, str]:
        from .footer import FooterError, footer_of

        if value is None:
            return {}
        try:
            return footer_of(value)
        except FooterError as exc:
            error = ValidationError(str(exc))
            error.key = exc.key  # type: ignore[attr-defined]  # the line of the key inside the block
            raise error from None


class LouyuConfig(Config):
    """louyu's platform settings (the `louyu` block under `plugins` in mkdocs.yml)."""

    # Time zone of item dates and activity times; "today" for scheduled publishing.
    timezone = TimeZone(default="Asia/Shanghai")
    # When true, an approval counts only with a valid SSH signature, whoever gave it.
    require_signatures = c.Type(bool, default=False)
    # Items per page in section lists (lists are paginated, never one huge page).
    per_page = PositiveInt(default=20)
    # How many latest items a station's home page shows.
    home_items = PositiveInt(default=8)
    # Days a section may go without a new published item (栏目更新情况; see model.STALE_AFTER).
    stale_after = SectionDays(default=STALE_AFTER)
    # More than one approval for a section (三审), in order: station / central instructors.
    approvals = SectionApprovals()
    # The 党务公开目录 a disclosure's `category` names an entry of (default: model.CATALOGUE).
    catalogue = Catalogue()
    # Where the members' sites are served (an intranet or a server behind sign-in), like
    # site_url for the public ones; unset, their pages link relatively and carry no QR codes.
    members_url = c.Optional(c.URL(is_dir=True))
    # The desk (`louyu desk`): the largest file one upload may be, in MB.
    desk_upload_mb = PositiveInt(default=50)
    # The desk's address as staff reach it (e.g. https://desk.example.org/): what invite links start with.
    desk_url = c.Optional(c.URL())
    # 主办单位, 承办单位, contact line, ICP 备案号 and 公安机关备案号 at the bottom of every page.
    footer = Footer()


class LouyuPlugin(BasePlugin[LouyuConfig]):
    """Declares louyu's settings for MkDocs; a platform is built with `louyu build`."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # A plain `mkdocs build` would publish unreviewed items: refuse it.
        raise PluginError("这是一个 louyu 平台：请使用 `louyu build`（mkdocs build 不经审核，不能用于发布）")


def _validate(config: MkDocsConfig) -> tuple[Any, Any]:
    """MkDocs' validation, which loads the plugins (Material's search without jieba)."""
    from .config import without_jieba

    with without_jieba():
        return config.validate()


def load_config(config_file: Path, problems: Problems) -> tuple[MkDocsConfig | None, Settings, Document | None]:
    """Read and validate mkdocs.yml; every problem goes to `problems` with its line."""
    rel = config_file.name
    settings = Settings()
    try:
        raw = config_file.read_bytes()
    except OSError as exc:
        raise LouyuError(rel, 1, f"无法读取配置文件：{os_reason(exc, reading=True)}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.error(rel, 1, "文件不是 UTF-8 编码，请另存为 UTF-8")
        return None, settings, None
    try:
        doc = load_yaml(text, rel, mkdocs_tags=True)
    except LouyuError as exc:
        problems.add(exc.problem)
        return None, settings, None
    if not isinstance(doc.data, dict):
        problems.error(rel, 1, "mkdocs.yml 应为“键: 值”形式的映射")
        return None, settings, None
    # MkDocs normalises what it is given in place; keep `doc` as written, for its lines.
    data: dict[str, Any] = copy.deepcopy(doc.data)
    # MkDocs insists on an existing docs_dir; louyu reads content/ itself, and a
    # platform with no items yet has no content/ in git at all.
    content = config_file.parent / "content"
    data.setdefault("docs_dir", str(content if content.is_dir() else Path(__file__).parent.parent / "templates"))
    theme = data.get("theme")
    if isinstance(theme, str):
        theme = data["theme"] = {"name": theme}
    if isinstance(theme, dict) and "custom_dir" not in theme and (config_file.parent / "theme").is_dir():
        data["theme"] = {**theme, "custom_dir": "theme"}

    config = MkDocsConfig(config_file_path=str(config_file))
    config.load_dict(data)
    errors, warnings = _validate(config)
    for key, err in errors:
        message = str(err)
        if message.startswith("Plugin 'louyu' option"):
            continue  # reported below, every option and not only the first
        problems.error(rel, _line_of(doc, key, message), f"{key}: {_zh(message)}")
    _check_louyu_block(doc, rel, problems)
    for key, warn in warnings:
        if str(warn).startswith("Plugin 'louyu' option"):
            continue  # said by _check_louyu_block, in Chinese
        problems.warning(rel, _line_of(doc, key, str(warn)), f"{key}: {_zh(str(warn))}")
    if errors:
        return None, settings, doc
    _check_brand(config, doc, rel, problems)
    _check_theme_assets(config, doc, rel, problems)
    plugin = config.plugins.get("louyu")
    if isinstance(plugin, LouyuPlugin):
        settings = Settings(
            timezone=plugin.config.timezone,
            require_signatures=plugin.config.require_signatures,
            per_page=plugin.config.per_page,
            home_items=plugin.config.home_items,
            stale_after=dict(plugin.config.stale_after),
            approvals=dict(plugin.config.approvals),
            catalogue=tuple(plugin.config.catalogue),
            members_url=plugin.config.members_url,
            desk_upload_mb=plugin.config.desk_upload_mb,
            desk_url=plugin.config.desk_url,
            footer=dict(plugin.config.footer),
        )
    # No request may leave the station's own folder: Material's Google Fonts are off.
    config.theme["font"] = False
    return config, settings, doc


def _check_louyu_block(doc: Document, rel: str, problems: Problems) -> None:
    """Validate each louyu option on its own: MkDocs stops at a block's first bad option."""
    plugins = doc.data.get("plugins")
    if not isinstance(plugins, list):
        return
    for i, entry in enumerate(plugins):
        if not (isinstance(entry, dict) and isinstance(entry.get("louyu"), dict)):
            continue
        block = entry["louyu"]
        known = dict(LouyuConfig._schema)
        for key in block:
            line = doc.line("plugins", i, "louyu", key)
            option = known.get(key)
            if option is None:
                problems.warning(rel, line, f"plugins: louyu 没有设置项 {key}{ignored(key, known)}")
                continue
            try:
                option.validate(copy.deepcopy(block[key]))
            except ValidationError as exc:
                sub = getattr(exc, "key", None)
                if sub is not None and isinstance(block[key], dict) and sub in block[key]:
                    line = doc.line("plugins", i, "louyu", key, sub)
                hint = "（请写 true 或 false：“{}”在不同工具里含义不同）".format(block[key]) if isinstance(block[key], str) and block[key] in YAML11_BOOLS else ""
                problems.error(rel, line, f"plugins: louyu 设置项 {key}：{_zh(str(exc))}{hint}")


def _check_theme_assets(config: MkDocsConfig, doc: Document, rel: str, problems: Problems) -> None:
    """extra_css / extra_javascript are copied from the theme folders: a missing one is a 404."""
    for key in ("extra_css", "extra_javascript"):
        for i, entry in enumerate(config[key]):
            path = str(entry)
            if "://" in path or path.startswith("//"):
                problems.error(rel, doc.line(key, i), f"{key} 不能引用其他网站（站点须离线可用）：{path}")
            elif not any((Path(d) / path).is_file() for d in config.theme.dirs):
                problems.error(rel, doc.line(key, i), f"{key} 的文件 {path} 不在 theme/ 文件夹中")


def _check_brand(config: MkDocsConfig, doc: Document, rel: str, problems: Problems) -> None:
    theme = config.theme
    if theme.name != "material":
        problems.error(rel, doc.line("theme"), f"theme.name 应为 material（统一品牌），实际是 {theme.name!r}")
    if theme.get("language") != "zh":
        problems.warning(
            rel, doc.line("theme"), "theme.language 应为 zh：否则浏览器中的中文搜索无法分词"
        )
    raw_theme = doc.data.get("theme")
    if isinstance(raw_theme, dict) and raw_theme.get("font"):
        problems.warning(rel, doc.line("theme"), "theme.font 已忽略：站点离线可用，不加载外部字体")
    if "material/search" not in config.plugins:
        problems.warning(rel, doc.line("plugins"), "plugins 中没有 search：站点将没有搜索框")


def _line_of(doc: Document, key: str, message: str) -> int:
    # A plugin option error names the option: point at it when we can.
    m = re.search(r"Plugin '([^']+)' option '([^']+)'", message)
    if m and key == "plugins" and isinstance(doc.data.get("plugins"), list):
        for i, entry in enumerate(doc.data["plugins"]):
            if isinstance(entry, dict) and m.group(1) in entry:
                return doc.line("plugins", i, m.group(1), m.group(2))
    return doc.line(*key.split("."))


_TYPE_NAMES = {
    "bool": "布尔值（true 或 false）", "int": "整数", "float": "数字", "str": "文字", "list": "列表",
    "dict": "“键: 值”映射", "NoneType": "空值", "tuple": "列表",
}


def _type_name(match: re.Match[str], group: str) -> str:
    name = match.group(group)
    return _TYPE_NAMES.get(name, name)


# MkDocs' and its plugins' validation messages (English), by pattern; each becomes a Chinese
# sentence with MkDocs' own words kept in parentheses (they are what a search engine knows).
_MKDOCS_MESSAGES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"Expected type: <class '(?P<want>\w+)'> but received: <class '(?P<got>\w+)'>"),
     lambda m: f"类型不对：应为{_type_name(m, 'want')}，实际是{_type_name(m, 'got')}"),
    (re.compile(r"Expected a string, got <class '(?P<got>\w+)'>"), lambda m: f"类型不对：应为文字，实际是{_type_name(m, 'got')}"),
    (re.compile(r"Expected a list of items, but a <class '(?P<got>\w+)'> was given"), lambda m: f"类型不对：应为列表，实际是{_type_name(m, 'got')}"),
    (re.compile(r"Expected (?:type: )?(?:a |an )?(?P<want>dict|list|str|int|bool|mapping|string|boolean)\b"), lambda m: f"类型不对：应为{_TYPE_NAMES.get(m.group('want'), m.group('want'))}"),
    (re.compile(r"Expected one of:? (?P<options>.+?),? but received:? (?P<got>.+)"), lambda m: f"取值不对：应为 {m.group('options')} 之一，实际是 {m.group('got')}"),
    (re.compile(r"Failed to load extension '(?P<name>[^']+)'"), lambda m: f"无法加载 Markdown 扩展 {m.group('name')}（未安装，或名称拼错？）"),
    (re.compile(r"No module named '(?P<name>[^']+)'"), lambda m: f"找不到 Python 模块 {m.group('name')}（未安装，或名称拼错？）"),
    (re.compile(r"Invalid config options for the \"?(?P<name>[^\"]+)\"? extension"), lambda m: f"Markdown 扩展 {m.group('name')} 的设置项不对"),
    (re.compile(r"The \"?(?P<name>[^\"' ]+)\"? plugin is not installed"), lambda m: f"没有安装插件 {m.group('name')}"),
    (re.compile(r"Unrecognised theme name: '(?P<name>[^']+)'"), lambda m: f"未知的主题 {m.group('name')}"),
    (re.compile(r"Required configuration not provided"), lambda m: "缺少必填项"),
    (re.compile(r"Unrecognised configuration name"), lambda m: "未知的配置项（已忽略）"),
    (re.compile(r"The path '(?P<path>[^']+)' isn't an existing (?P<what>file|directory)"), lambda m: f"路径不存在：{m.group('path')}"),
    (re.compile(r"The path '(?P<path>[^']+)'"), lambda m: f"路径不对：{m.group('path')}"),
    (re.compile(r"must (?:be|start with|end with|contain)"), lambda m: "取值的格式不对"),
    (re.compile(r"(?i)deprecat"), lambda m: "此设置已过时"),
]


def _zh(message: str) -> str:
    """One of MkDocs' messages in Chinese, its own words kept in parentheses; a message
    louyu has never seen says what kind of problem it is (an invalid setting)."""
    if re.search(r"[\u4e00-\u9fff]", message):
        return message  # louyu's own option classes speak Chinese already
    text = " ".join(line.strip() for line in message.splitlines() if line.strip())
    for pattern, zh in _MKDOCS_MESSAGES:
        m = pattern.search(text)
        if m:
            return f"{zh(m)}（{text}）"
    return f"设置无效（{text}）"
