"""The `louyu` command: one thin function per verb; the work is done elsewhere.

Exit status: 0 success, 1 the platform has errors (output left as it was),
2 wrong usage. Messages for staff are Chinese and name the file and line.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from .. import __version__
from ..platform.problems import LouyuError, PlatformErrors, Problem, UsageProblem

if TYPE_CHECKING:
    from ..memo.parsed import ParsedBefore
    from ..platform.model import Item, Platform
    from ..platform.problems import Problems

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-f",
        "--config-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path("mkdocs.yml"),
        show_default=True,
        help="平台的 mkdocs.yml",
    )(f)


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(str(p), err=True)


def _as_last_built(config_file: Path) -> ParsedBefore:
    """What the last build parsed and validated (items and ledgers, mkdocs.yml), reused by
    the commands that read the platform while nothing it was read from changed: the same
    items, warnings and errors, 3x faster at 400 items. Read only: these commands never
    write the build cache."""
    from ..memo.cache import Memo, cache_dir, peek_memo
    from ..memo.parsed import ParsedBefore

    folder = cache_dir(config_file.absolute().parent)
    return ParsedBefore(Memo(peek_memo(folder, "parsed")), Memo(peek_memo(folder, "config")))


def _load_platform(config_file: Path) -> tuple[Platform, Problems]:
    from ..platform.loader import load_platform

    return load_platform(config_file, _as_last_built(config_file))


def reports_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn louyu's errors into messages and exit codes; a bug says so, never a bare traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except PlatformErrors as exc:
            _print_problems(exc.problems)
            n = len([p for p in exc.problems if p.level == "error"])
            w = len(exc.problems) - n
            tail = f"，{w} 个警告（--strict 视为错误）" if w else ""
            click.echo(f"平台有 {n} 个错误{tail}，未写入任何输出。", err=True)
            sys.exit(1)
        except UsageProblem as exc:
            click.echo(f"用法错误：{exc.problem.message}", err=True)
            sys.exit(2)
        except LouyuError as exc:
            _print_problems([exc.problem])
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("已中断，输出文件夹保持原样。", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception:
            click.echo(
                "louyu 内部错误：这是 louyu 自身的缺陷，不是平台内容的问题；输出文件夹保持原样。\n"
                "请把以下信息报告给 louyu 维护者（见 README 的“报告问题”）：",
                err=True,
            )
            click.echo(traceback.format_exc(limit=-3), err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="louyu")
def main() -> None:
    """louyu：楼宇党建共享平台 1+N 站点生成器。"""


_INSTALLED_COMMAND = False  # set by `entry`, never when tests call `main` in-process


def entry() -> None:
    """The installed `louyu` command (pyproject's console script)."""
    global _INSTALLED_COMMAND
    _INSTALLED_COMMAND = True
    main()


def _leave_now() -> None:
    """A build has written, recorded and closed everything: end the process without the
    interpreter's teardown of every object the build made (~20 ms at 400 items, a tenth
    of a one-edit rebuild). Only in the installed command: never inside a test run."""
    if _INSTALLED_COMMAND:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):  # closed, or a reader gone: nothing to lose
                pass
        os._exit(0)


@main.command()
@config_option
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="输出文件夹（默认：平台下的 site/）")
@click.option("--station", "stations", multiple=True, metavar="ID", help="只构建这些站点（可重复）")
@click.option("--strict", is_flag=True, help="警告也视为错误")
@reports_errors
def build(config_file: Path, site_dir: Path | None, stations: tuple[str, ...], strict: bool) -> None:
    """构建每个站点的网站、入口页和清单。"""
    from ..memo.fastpath import check as unchanged_since_last_build

    output = site_dir if site_dir is not None else config_file.absolute().parent / "site"
    record, inputs = unchanged_since_last_build(config_file.absolute(), output, list(stations) or None, strict)
    if record is not None:
        summary = record["summary"]
        for line in summary["warnings"] + summary["notices"]:
            click.echo(line, err=True)
        click.echo(f"没有变化：{output} 中的 {summary['stations']} 个站点（{summary['pages']} 个条目页）已是最新。", err=True)
        return
    from ..pipeline.helper import ConversionHelper

    # Started before the rest of louyu is even imported: it loads what converting an edited
    # item needs on the other core meanwhile (see pipeline/helper.py).
    helper = ConversionHelper.start(config_file.absolute()) if config_file.is_file() else None
    from ..pipeline.build import build as run_build

    # What is loaded now lives until the end: the collector need not scan it again and again.
    gc.freeze()
    # And most of what a build makes lives until the end too (the platform, outputs, keys),
    # with few reference cycles: collecting every 700 new objects cost 30-40 ms of a
    # one-edit rebuild at 1,600 items (three generations, one full pass), 9 ms like this.
    gc.set_threshold(50_000, 20, 20)

    def show(sid: str, n: int, total: int) -> None:
        click.echo(f"\r构建站点 {n}/{total}：{sid}    ", err=True, nl=False)

    on_terminal = sys.stderr.isatty()
    result = run_build(
        config_file, site_dir, list(stations) or None, strict=strict, progress=show if on_terminal else None,
        inputs=inputs, helper=helper,
    )
    if on_terminal:
        click.echo("", err=True)
    _print_problems(result.warnings)
    for notice in result.notices:
        click.echo(notice, err=True)
    pages = sum(result.pages.values())
    files = f"{result.files} 个文件"
    if result.unchanged:
        files = f"更新 {result.files} 个文件（{result.unchanged} 个未变）"
    click.echo(
        f"已构建 {len(result.stations)} 个站点（{pages} 个条目页）到 {result.output}，"
        f"{files}，{result.bytes_written / 1048576:.1f} MiB，用时 {result.seconds:.2f} 秒。",
        err=True,
    )
    _leave_now()


@main.command()
@config_option
@click.option("--strict", is_flag=True, help="警告也视为错误")
@reports_errors
def check(config_file: Path, strict: bool) -> None:
    """检查整个平台，列出每一个问题（文件:行: 说明）。"""
    from ..platform.footer import check_going_live
    from ..review.gate import check_approvers

    platform, problems = _load_platform(config_file)
    check_approvers(platform, problems)
    check_going_live(platform, problems)
    listed = problems.sorted()
    _print_problems(listed)
    if not problems.errors:
        _print_stale_sections(platform)
    if platform.terms:
        flagged = [i for i in platform.items if i.findings]
        click.echo(
            f"已按 terms/ 中的 {len(platform.terms)} 个词条检查：条目中 {sum(len(i.findings) for i in flagged)} 处错敏词"
            f"（{len(flagged)} 个条目）。",
            err=True,
        )
    errors = len(problems.errors) + (len(problems.warnings) if strict else 0)
    if errors:
        click.echo(f"发现 {len(problems.errors)} 个错误、{len(problems.warnings)} 个警告。", err=True)
        sys.exit(1)
    click.echo(
        f"检查通过：{len(platform.stations)} 个站点，{len(platform.items)} 个条目"
        + (f"，{len(problems.warnings)} 个警告。" if problems.warnings else "。"),
        err=True,
    )


def _print_stale_sections(platform: Platform) -> None:
    """Sections left without updates (栏目更新情况). They depend on today's date, not on the
    files, so they never make `check` or a build fail, not even with --strict."""
    from ..outputs.report import stale_sections
    from ..pipeline.build import decide_publication

    publication = decide_publication(platform, None, None, False)
    stale = []
    for sid in sorted(platform.stations, key=lambda s: (not platform.stations[s].is_central, s)):
        stale += stale_sections(platform, sid, publication.published, publication.today)
    for s in stale:
        click.echo(f"{s.folder}: 警告：{s.message}", err=True)
    if stale:
        click.echo(f"{len(stale)} 个栏目需要更新（按今天的日期，不影响检查结果；天数可在 mkdocs.yml 的 louyu 设置 stale_after 中修改）。", err=True)


@main.command()
@config_option
@click.option("-a", "--dev-addr", "address", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT", help="预览服务器地址")
@click.option("--station", "stations", multiple=True, metavar="ID", help="只预览这些站点（可重复）")
@reports_errors
def serve(config_file: Path, address: str, stations: tuple[str, ...]) -> None:
    """实时预览：文件一改就重新构建并刷新浏览器；待审核条目只在预览中显示。"""
    from .serve import parse_address, serve as run

    try:
        parse_address(address)
    except ValueError:
        raise click.BadParameter(f"应为 主机:端口，例如 127.0.0.1:8000，实际是 {address}", param_hint="-a") from None
    if not config_file.is_file():
        raise LouyuError(str(config_file), 1, "找不到配置文件")
    run(config_file, address, list(stations) or None, lambda line: click.echo(line, err=True))


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True, help="csv：可用 Excel 打开的表格")
@reports_errors
def report(config_file: Path, fmt: str) -> None:
    """各站点每月发布、主题、活动次数、栏目更新和待审核条目。"""
    from ..outputs.report import build_report
    from ..outputs.report_formats import as_csv, as_json, as_text
    from ..pipeline.build import decide_publication, load_checked

    platform, _ = load_checked(config_file, False, _as_last_built(config_file))
    publication = decide_publication(platform, None, None, False)
    reports = build_report(platform, publication)
    if fmt == "json":
        click.echo(json.dumps(as_json(reports, publication.today), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        sys.stdout.buffer.write(as_csv(reports, publication.today).encode("utf-8"))
        sys.stdout.flush()
    else:
        click.echo(as_text(reports))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def new(directory: Path) -> None:
    """新建一个平台：总站、一个分站、各栏目示例、审核记录、说明和 git 仓库。"""
    from .new import create

    approved = create(directory)
    click.echo(f"已在 {directory} 新建平台（{len(approved)} 个示例条目已审核）。下一步：")
    click.echo(f"  cd {directory}")
    click.echo("  louyu check && louyu build")
    click.echo("  然后阅读 README.md，修改 mkdocs.yml 和 stations/ 中的站点信息。")


@main.group(context_settings=CONTEXT)
def review() -> None:
    """审核：列出条目状态，记录通过、退回、撤回。"""


@review.command("list")
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def review_list(config_file: Path, fmt: str) -> None:
    """列出每个条目的路径、摘要、状态和可审核人。"""
    from .review import as_json, as_text, reviews

    platform, problems = _load_platform(config_file)
    rows = reviews(platform)
    if fmt == "json":
        click.echo(json.dumps([as_json(r) for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            click.echo(as_text(r))
        if not rows and not problems.errors:
            click.echo("平台中还没有条目（content/<站点>/<栏目>/ 下的 .md 文件）。", err=True)
    if problems.errors:
        click.echo(f"另有 {len(problems.errors)} 个错误（louyu check 查看），出错的条目未列出。", err=True)
        sys.exit(1)


@review.command("diff")
@config_option
@click.argument("path")
@reports_errors
def review_diff(config_file: Path, path: str) -> None:
    """显示条目自上次批准以来的变化（Markdown 和引用的文件）。"""
    from .review import diff

    platform, _ = _load_platform(config_file)
    click.echo(diff(platform, path))


def _decision_command(decision: str, help_text: str) -> None:
    @review.command(_VERBS[decision], help=help_text)
    @config_option
    @click.argument("paths", nargs=-1, required=True)
    @click.option("--by", required=True, metavar="ID", help="审核人（党建指导员）的人员编号")
    @click.option("--note", default=None, help="备注")
    @click.option("--key", type=click.Path(dir_okay=False, path_type=Path), default=None, help="用于签名的 SSH 私钥")
    @reports_errors
    def command(config_file: Path, paths: tuple[str, ...], by: str, note: str | None, key: Path | None) -> None:
        from ..review.ledger import record_decisions

        platform, _ = _load_platform(config_file)
        for done in record_decisions(platform, list(paths), decision, by, note, key):
            if done.repeated:
                click.echo(f"{done.item.path}: {by} 已对此版本记录过“{_LABELS[decision]}”（{done.item.digest[:19]}…），未重复记录")
            else:
                click.echo(f"{done.item.path}: 已记录“{_LABELS[decision]}”（{done.item.digest[:19]}…）→ {done.ledger.relative_to(platform.root)}")
            if decision == "approved" and platform.settings.approvals.get(done.item.section):
                click.echo(f"  {_progress_after(platform, done.item)}")


def _progress_after(platform: Platform, item: Item) -> str:
    """Where an item of a section with several approvals (三审) stands now its ledger has grown."""
    from ..platform.ledgers import load_ledger
    from ..platform.problems import Problems
    from ..review.gate import STATE_LABELS, review
    from ..review.signatures import signature_checker

    decisions = load_ledger(platform.root / item.ledger_path, item.ledger_path, platform.staff(), Problems())
    platform.ledgers[item.path] = decisions or []
    r = review(platform, item, signature_checker(platform))
    return r.progress() or ("审核已齐：下次构建时发布" if r.published else STATE_LABELS[r.state])


_VERBS = {"approved": "approve", "rejected": "reject", "withdrawn": "withdraw"}
_LABELS = {"approved": "通过", "rejected": "退回", "withdrawn": "撤回"}
_decision_command("approved", "通过条目的当前版本（写入审核记录）。")
_decision_command("rejected", "退回条目的当前版本。")
_decision_command("withdrawn", "撤回条目：下次构建时从所有站点下线。")


if __name__ == "__main__":  # pragma: no cover
    entry()
