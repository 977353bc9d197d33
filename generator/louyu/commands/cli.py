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
from .usage import ChineseGroup

if TYPE_CHECKING:
    from ..memo.cache import Memo
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


def _pin_clock(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--clock`: louyu as of that day (or moment), for this command and every process it starts."""
    if value:
        from ..platform import clock

        try:
            clock.parse(value)
        except clock.ClockError as e:
            raise click.BadParameter(str(e), param_hint="--clock") from None
        os.environ[clock.ENV] = value.strip()
    return value


def clock_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--clock",
        metavar="YYYY-MM-DD",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_pin_clock,
        help="按这一天的情况构建（定时发布、过期、活动）",
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


@click.group(context_settings=CONTEXT, cls=ChineseGroup)
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
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="输出文件夹（默认 site/；党内网站 site-members/）")
@click.option("--station", "stations", multiple=True, metavar="ID", help="只构建这些站点（可重复）")
@click.option("--strict", is_flag=True, help="警告也视为错误")
@clock_option
@click.option("--members", is_flag=True, help="构建党内网站（含 scope: members 的条目），勿公开部署")
@reports_errors
def build(config_file: Path, site_dir: Path | None, stations: tuple[str, ...], strict: bool, members: bool) -> None:
    """构建每个站点的网站、入口页和清单。"""
    from ..memo.fastpath import check as unchanged_since_last_build

    output = site_dir if site_dir is not None else config_file.absolute().parent / ("site-members" if members else "site")
    record, inputs = unchanged_since_last_build(config_file.absolute(), output, list(stations) or None, strict, members)
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
    # Most of what a build makes lives until the end (the platform, outputs, keys), with few
    # reference cycles: collecting every 700 new objects cost 30-40 ms of a one-edit rebuild
    # at 1,600 items (three generations, one full pass), 9 ms like this. (Set before the
    # pipeline's imports, which make objects that live until the end too: 3 ms.)
    gc.set_threshold(50_000, 20, 20)
    from ..pipeline.build import build as run_build

    # What is loaded now lives until the end: the collector need not scan it again and again.
    gc.freeze()

    def show(sid: str, n: int, total: int) -> None:
        click.echo(f"\r构建站点 {n}/{total}：{sid}    ", err=True, nl=False)

    on_terminal = sys.stderr.isatty()
    result = run_build(
        config_file, site_dir, list(stations) or None, strict=strict, progress=show if on_terminal else None,
        inputs=inputs, helper=helper, members=members,
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
@clock_option
@reports_errors
def check(config_file: Path, strict: bool) -> None:
    """检查整个平台，列出每一个问题（文件:行: 说明）。"""
    from ..platform.footer import check_going_live
    from ..review.gate import check_approvers, signature_losses
    from .gatecheck import current_reviews, print_rejections, verified_before

    platform, problems = _load_platform(config_file)
    check_approvers(platform, problems)
    check_going_live(platform, problems)
    verified = verified_before(platform)
    reviews = current_reviews(platform, verified) if not problems.errors else {}
    losses = signature_losses(platform, reviews)
    for loss in losses:
        problems.add(loss)
    listed = problems.sorted()
    _print_problems(listed)
    if not problems.errors:
        _print_stale_sections(platform, verified)
        print_rejections(platform, reviews, lambda line: click.echo(line, err=True))
    _print_scope_hints(platform)
    if platform.terms:
        flagged = [i for i in platform.items if i.findings]
        click.echo(
            f"已按 terms/ 中的 {len(platform.terms)} 个词条检查：条目中 {sum(len(i.findings) for i in flagged)} 处错敏词"
            f"（{len(flagged)} 个条目）。",
            err=True,
        )
    errors = len(problems.errors) + (len(problems.warnings) if strict else 0)
    if errors or losses:
        offline = f"；其中 {len(losses)} 个条目因签名要求而不能发布（见上，各有恢复的办法）" if losses else ""
        click.echo(f"发现 {len(problems.errors)} 个错误、{len(problems.warnings)} 个警告{offline}。", err=True)
        sys.exit(1)
    click.echo(
        f"检查通过：{len(platform.stations)} 个站点，{len(platform.items)} 个条目"
        + (f"，{len(problems.warnings)} 个警告。" if problems.warnings else "。"),
        err=True,
    )


def _print_scope_hints(platform: Platform) -> None:
    """Public disclosures about members-only matters: a reminder, never a failure (not even --strict)."""
    from ..platform.catalogue import scope_hint

    for item in platform.items:
        hint = scope_hint(item)
        if hint:
            click.echo(f"{item.path}:{hint[0]}: {hint[1]}", err=True)


def _print_stale_sections(platform: Platform, verified: Memo) -> None:
    """Sections left without updates (栏目更新情况). They depend on today's date, not on the
    files, so they never make `check` or a build fail, not even with --strict."""
    from ..outputs.report import stale_sections
    from ..pipeline.build import decide_publication

    publication = decide_publication(platform, None, None, False, signatures=verified, members=True)  # (staff keep both scopes up)
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
@clock_option
@click.option("--members", is_flag=True, help="预览党内网站（含 scope: members 的条目）")
@reports_errors
def serve(config_file: Path, address: str, stations: tuple[str, ...], members: bool) -> None:
    """实时预览：文件一改就重新构建并刷新浏览器；待审核条目只在预览中显示。"""
    from .serve import parse_address, serve as run

    try:
        parse_address(address)
    except ValueError:
        raise click.BadParameter(f"应为 主机:端口，例如 127.0.0.1:8000，实际是 {address}", param_hint="-a") from None
    if not config_file.is_file():
        raise LouyuError(str(config_file), 1, "找不到配置文件")
    run(config_file, address, list(stations) or None, lambda line: click.echo(line, err=True), members=members)


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True, help="csv：可用 Excel 打开的表格")
@clock_option
@reports_errors
def report(config_file: Path, fmt: str) -> None:
    """各站点每月发布、主题、活动次数、栏目更新和待审核条目。"""
    from ..outputs.report import build_report
    from ..outputs.report_formats import as_csv, as_json, as_text
    from ..pipeline.build import decide_publication, load_checked

    platform, _ = load_checked(config_file, False, _as_last_built(config_file))
    # For the staff, not published: every item counts, `members` ones too.
    publication = decide_publication(platform, None, None, False, members=True)
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
@click.option("--require-signatures", is_flag=True, help="每次审核都须用指导员的 SSH 私钥签名")
@reports_errors
def new(directory: Path, require_signatures: bool) -> None:
    """新建一个平台：总站、一个分站、各栏目示例、审核记录、说明和 git 仓库。"""
    from .new import create, next_steps

    approved = create(directory, require_signatures)
    for line in next_steps(directory, approved, require_signatures):
        click.echo(line)


@main.command("import")
@config_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--station", required=True, metavar="ID", help="条目所属站点")
@click.option("--section", required=True, metavar="SECTION", help="栏目：news、disclosures、resources、activities、themes")
@click.option("--by", default=None, metavar="ID", help="作者（本站或总站的平台管理员）；本站只有一位时可省略")
@click.option("--scope", type=click.Choice(["public", "members"]), default=None, help="公开范围；党务公开条目必填")
@reports_errors
def import_(config_file: Path, files: tuple[Path, ...], station: str, section: str, by: str | None, scope: str | None) -> None:
    """把 Word 文档（.docx）导入为待审核条目，并检查新条目。"""
    from .import_docx import report_import

    sys.exit(report_import(config_file, list(files), station, section, by, scope, click.echo))


@main.group(context_settings=CONTEXT)
def review() -> None:
    """审核：列出条目状态，记录通过、退回、撤回。"""


@review.command("list")
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def review_list(config_file: Path, fmt: str) -> None:
    """列出每个条目的路径、版本指纹、状态、退回意见和可审核人。"""
    from .review import as_json, as_text, reviews

    platform, problems = _load_platform(config_file)
    rows = reviews(platform)
    if fmt == "json":
        click.echo(json.dumps([as_json(r) for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            click.echo(as_text(platform, r))
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
    click.echo(diff(platform, path, colour=sys.stdout.isatty()))


def _decision_command(decision: str, help_text: str) -> None:
    @review.command(_VERBS[decision], help=help_text)
    @config_option
    @click.argument("paths", nargs=-1, required=True)
    @click.option("--by", default=None, metavar="ID", help="审核人（党建指导员）的人员编号（必填）")
    @click.option("--note", default=None, help="备注（退回时请写明原因，管理员会看到）")
    @click.option("--key", type=click.Path(dir_okay=False, path_type=Path), default=None, help="用于签名的 SSH 私钥")
    @reports_errors
    def command(config_file: Path, paths: tuple[str, ...], by: str | None, note: str | None, key: Path | None) -> None:
        from ..review.ledger import record_decisions

        if by is None and not config_file.is_file():  # (with a platform, who may decide is listed)
            raise UsageProblem("--by", 1, "缺少 --by：请写审核人的人员编号")
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


from .desk import desk_command  # noqa: E402 - registered after the options it uses

desk_command(main, config_option, reports_errors)


if __name__ == "__main__":  # pragma: no cover
    entry()
