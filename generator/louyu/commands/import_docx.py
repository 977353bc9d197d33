"""`louyu import FILE... --station ID --section SECTION [--by ID] [--scope public|members]`:
Word documents in, pending item bundles out, then the same checks as `louyu check` on them.

The conversion is louyu.importer's (the desk imports through it too); this module only
decides the platform's side: which station and section, who the author is, the date, the
scope, and what to print. All files are converted before anything is written; if one fails,
nothing is written, and if a write fails, what this import wrote is taken back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..importer import LIMITS, Draft, DocxError, convert, item_name, item_text, publication_date, remove_bundle, write_bundle
from ..importer.author import choose_author
from ..platform.clock import today
from ..platform.model import SECTIONS, Platform, Station
from ..platform.problems import Problem, Problems, UsageProblem

SCOPES = {"public": "向社会公开", "members": "党内公开"}


@dataclass
class Imported:
    source: Path
    folder: Path  # the new bundle
    index: str  # platform-relative path of its index.md, as check prints it
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    imported: list[Imported]
    failed: list[tuple[Path, str]]  # file, Chinese reason (nothing was written)
    problems: list[Problem] = field(default_factory=list)  # what check finds in the new items
    hints: list[str] = field(default_factory=list)  # reminders that never fail (a public 党费 notice)


def run_import(
    config_file: Path, files: list[Path], station_id: str, section: str, by: str | None, scope: str | None,
    load: Callable[[Path], tuple[Platform, Problems]],
) -> ImportResult:
    platform, _ = load(config_file)
    station = _station(platform, station_id)
    _section(section)
    author = choose_author(platform, station, by)
    scope = _scope(section, scope)
    day = today(platform.settings.timezone)
    drafts, failed = _convert_all(files)
    if failed:
        return ImportResult([], failed)
    section_dir = platform.root / "content" / station.id / section
    done = _write_all(platform, section_dir, drafts, day, author.id, scope)
    problems, hints = _check(config_file, load, [d.folder for d in done], platform.root)
    return ImportResult(done, [], problems, hints)


def _station(platform: Platform, station_id: str) -> Station:
    station = platform.stations.get(station_id)
    if station is None:
        raise UsageProblem("--station", 1, f"没有站点 {station_id}：应为 {'、'.join(sorted(platform.stations))} 之一")
    return station


def _section(section: str) -> None:
    if section not in SECTIONS:
        choices = "、".join(f"{k}（{v}）" for k, v in SECTIONS.items())
        raise UsageProblem("--section", 1, f"没有栏目 {section}：应为 {choices} 之一")


def _scope(section: str, scope: str | None) -> str | None:
    if scope is None and section == "disclosures":
        raise UsageProblem(
            "--scope", 1, "党务公开条目须指定公开范围：--scope public（向社会公开）或 --scope members（党内公开），louyu 不替你猜"
        )
    return scope


def _convert_all(files: list[Path]) -> tuple[list[tuple[Path, Draft]], list[tuple[Path, str]]]:
    drafts, failed = [], []
    for path in files:
        try:
            size = path.stat().st_size
            if size > LIMITS.file_bytes:  # not even read into memory
                raise DocxError(f"文件有 {size / 1048576:.0f} MB，超过导入上限 {LIMITS.file_bytes // 1048576} MB：请压缩文中图片后再导入")
            drafts.append((path, convert(path.read_bytes(), path.name)))
        except DocxError as exc:
            failed.append((path, exc.message))
        except FileNotFoundError:
            failed.append((path, "找不到文件"))
        except IsADirectoryError:
            failed.append((path, "这是文件夹，不是 Word 文档"))
        except OSError as exc:
            failed.append((path, f"无法读取文件（{exc.strerror or exc}）"))
    return drafts, failed


def _write_all(
    platform: Platform, section_dir: Path, drafts: list[tuple[Path, Draft]], day: dt.date, author: str, scope: str | None
) -> list[Imported]:
    existing = _names_in(section_dir)
    done: list[Imported] = []
    try:
        for source, draft in drafts:
            name = item_name(draft.title, source.name, existing)
            existing.add(name)
            date, note = publication_date(draft.date, day)
            text = item_text(draft, date=date, author=author, scope=scope)
            folder = write_bundle(section_dir, name, text, draft.files)
            index = (folder / "index.md").relative_to(platform.root).as_posix()
            done.append(Imported(source, folder, index, draft.notes + ([note] if note else [])))
    except BaseException:
        for d in done:
            remove_bundle(d.folder)
        raise
    return done


def _names_in(section_dir: Path) -> set[str]:
    if not section_dir.is_dir():
        return set()
    return {p.stem if p.suffix == ".md" else p.name for p in section_dir.iterdir()}


def _check(
    config_file: Path, load: Callable[[Path], tuple[Platform, Problems]], folders: list[Path], root: Path,
) -> tuple[list[Problem], list[str]]:
    """What `louyu check` says about the new items (and only them): problems, and reminders."""
    from ..platform.catalogue import scope_hint
    from ..review.gate import check_approvers

    platform, problems = load(config_file)
    check_approvers(platform, problems)
    prefixes = tuple(f.relative_to(root).as_posix() + "/" for f in folders)
    hints = [f"{i.path}:{h[0]}: {h[1]}" for i in platform.items if i.path.startswith(prefixes) and (h := scope_hint(i))]
    return [p for p in problems.sorted() if p.path.startswith(prefixes)], hints


def report_import(
    config_file: Path, files: list[Path], station: str, section: str, by: str | None, scope: str | None,
    echo: Callable[..., None],
) -> int:
    """Run the import and say what happened: each new item's path on standard output, the
    rest on standard error. The exit status: 0, or 1 when a file was refused (nothing was
    written) or a new item has errors that check reports."""
    from ..platform.loader import load_platform

    if not config_file.is_file():
        raise UsageProblem(str(config_file), 1, f"找不到配置文件 {config_file}")
    result = run_import(config_file, files, station, section, by, scope, load_platform)
    for path, reason in result.failed:
        echo(f"{path}: {reason}", err=True)
    if result.failed:
        echo(f"{len(result.failed)} 个文件无法导入，未写入任何条目。", err=True)
        return 1
    for done in result.imported:
        echo(done.index)
        for note in done.notes:
            echo(f"{done.index}: 提示：{note}", err=True)
    for p in result.problems:
        echo(str(p), err=True)
    for hint in result.hints:
        echo(hint, err=True)
    errors = [p for p in result.problems if p.level == "error"]
    n = len(result.imported)
    if errors:
        echo(f"已导入 {n} 个条目（待审核），但有 {len(errors)} 个错误：请修改上面列出的 Markdown（不是 Word 文件）后再提交审核。", err=True)
        return 1
    warned = f"，{len(result.problems)} 个警告" if result.problems else ""
    echo(f"已导入 {n} 个条目（待审核）{warned}。下一步：检查内容，提交后请指导员审核（louyu review list）。", err=True)
    return 0
