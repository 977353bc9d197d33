"""Usage errors in Chinese: click words its own (`Error: Missing option '--by'.`) in English.

Every group of the `louyu` command is a `ChineseGroup`: a usage error raised while its
command line is read, or by a command, is said again in Chinese (exit status 2), with the
command's usage line and where to find help.
"""

from __future__ import annotations

import functools
import re
from typing import IO, Any

import click



@functools.cache
def _cjk() -> re.Pattern[str]:
    """(Compiled on first use, by a usage error: 3.5 ms that every command would pay at start.)"""
    return re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


class ChineseUsageError(click.UsageError):
    """A usage error worded in Chinese."""

    def show(self, file: IO[Any] | None = None) -> None:
        if self.ctx is not None:
            usage = self.ctx.get_usage().replace("Usage: ", "用法：").replace("[OPTIONS]", "[选项]")
            click.echo(usage, file=file, err=file is None)
            click.echo(f"（{self.ctx.command_path} -h 查看说明）", file=file, err=file is None)
        click.echo(f"用法错误：{self.message}", file=file, err=file is None)


def in_chinese(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, ChineseUsageError) or type(exc).__name__ == "NoArgsIsHelpError":
        return exc  # (a group called bare shows its help: nothing to translate)
    return ChineseUsageError(_message(exc), exc.ctx)


def _message(exc: click.UsageError) -> str:
    if isinstance(exc, click.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click.NoSuchOption):
        close = f"（是否想写 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{close}"
    if isinstance(exc, click.BadOptionUsage):
        if "requires an argument" in exc.message or "requires" in exc.message:
            return f"选项 {exc.option_name} 后须写一个值"
        return f"选项 {exc.option_name} 的用法不对（{exc.message}）"
    if isinstance(exc, click.BadParameter):
        return _bad_parameter(exc)
    return _generic(exc.message)


def _hint(exc: click.BadParameter) -> str:
    if exc.param_hint:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(hint)
    if exc.param is not None:
        return " / ".join(exc.param.opts) if isinstance(exc.param, click.Option) else exc.param.human_readable_name
    return "参数"


def _missing(exc: click.MissingParameter) -> str:
    hint = _hint(exc)
    if exc.param is not None and isinstance(exc.param, click.Argument):
        return f"缺少参数 {hint}"
    return f"缺少选项 {hint}"


def _bad_parameter(exc: click.BadParameter) -> str:
    hint = _hint(exc)
    if _cjk().search(exc.message):  # louyu's own message: already Chinese
        return f"{hint} {exc.message}"
    if exc.param is not None and isinstance(exc.param.type, click.Choice):
        choices = " / ".join(str(c) for c in exc.param.type.choices)
        return f"{hint} 应为 {choices} 之一"
    if exc.param is not None and isinstance(exc.param.type, click.Path):
        return f"{hint} 不是可用的路径（{exc.message}）"
    return f"{hint} 的值无效（{exc.message}）"


def _generic(message: str) -> str:
    m = re.match(r"No such command '(.*)'\.", message)
    if m:
        return f"没有命令 {m.group(1)}"
    m = re.match(r"Got unexpected extra arguments? \((.*)\)", message)
    if m:
        return f"多余的参数：{m.group(1)}"
    return message if _cjk().search(message) else f"命令行有误（{message}）"


class ChineseGroup(click.Group):
    """A click group whose usage errors, and those of its commands, are said in Chinese."""

    group_class = type  # (its subgroups are ChineseGroups too)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise in_chinese(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise in_chinese(exc) from None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            close = [name for name in self.list_commands(ctx) if args and name.startswith(args[0][:2])]
            hint = f"（现有命令：{'、'.join(self.list_commands(ctx))}）" if not close else f"（是否想写 {'、'.join(close)}？）"
            raise ChineseUsageError(_generic(exc.message) + hint, ctx) from None
