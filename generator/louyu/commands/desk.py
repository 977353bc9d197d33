"""`louyu desk`: serve the staff's desk; `invite` and `revoke` sign-ins."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from ..platform.problems import LouyuError, UsageProblem

if TYPE_CHECKING:
    from ..platform.model import Staff


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def desk_command(main: click.Group, config_option: Decorator, reports_errors: Decorator) -> None:
    """Register `louyu desk` and its subcommands on the `louyu` command group."""
    cfg = config_option  # (passed in: cli.py owns them)
    guard = reports_errors

    @main.group("desk", invoke_without_command=True)
    @cfg
    @click.option("-a", "--address", default="127.0.0.1:8765", show_default=True, metavar="HOST:PORT", help="监听地址；0.0.0.0:端口 供站点网络中的设备使用（须放在 HTTPS 之后）")
    @click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME", help="另外接受的主机名（例如反向代理的域名），可重复")
    @click.option("--cert", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None, help="HTTPS 证书（PEM）")
    @click.option("--key", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None, help="HTTPS 私钥（PEM）")
    @click.pass_context
    @guard
    def desk(ctx: click.Context, config_file: Path, address: str, allow_hosts: tuple[str, ...], cert: Path | None, key: Path | None) -> None:
        """书桌：管理员在浏览器中编写、上传、保存条目；指导员审核。"""
        if ctx.invoked_subcommand is not None:
            return
        from ..desk.server import parse_address, run

        try:
            parse_address(address)
        except ValueError:
            raise click.BadParameter(f"应为 主机:端口，例如 127.0.0.1:8765，实际是 {address}", param_hint="-a") from None
        if (cert is None) != (key is None):
            raise UsageProblem("--cert", 1, "--cert 和 --key 须同时给出")
        if not config_file.is_file():
            raise LouyuError(str(config_file), 1, "找不到配置文件")
        run(config_file, address, list(allow_hosts), lambda line: click.echo(line, err=True), cert, key)

    @desk.command("invite")
    @click.argument("staff_id", metavar="ID")
    @click.option("--hours", type=click.IntRange(1, 24 * 30), default=72, show_default=True, help="链接有效的小时数（只能使用一次）")
    @click.option("--url", default=None, metavar="URL", help="书桌的地址（默认：mkdocs.yml 的 desk_url，否则 http://127.0.0.1:8765/）")
    @cfg
    @guard
    def invite(config_file: Path, staff_id: str, hours: int, url: str | None) -> None:
        """打印某位人员的个人登录链接（和二维码）。"""
        import segno

        from ..desk.identity import Secrets, ensure_ignored

        person, root, base = _person(config_file, staff_id)
        ensure_ignored(root)
        made = Secrets(root).invite(staff_id, hours)
        link = f"{(url or base).rstrip('/')}/signin?t={made.token}"
        click.echo(f"{person.name}（{staff_id}）的个人登录链接，{hours} 小时内有效，只能使用一次：")
        click.echo(link)
        qr = io.StringIO()
        segno.make(link, error="m").terminal(out=qr, compact=True)
        click.echo(qr.getvalue(), nl=False)
        click.echo("请只发给本人。louyu desk revoke " + staff_id + " 可结束此人的所有登录。")

    @desk.command("revoke")
    @click.argument("staff_id", metavar="ID")
    @cfg
    @guard
    def revoke(config_file: Path, staff_id: str) -> None:
        """结束某位人员的所有登录，并作废未使用的登录链接。"""
        from ..desk.identity import Secrets

        _, root, _ = _person(config_file, staff_id)
        n = Secrets(root).revoke(staff_id)
        click.echo(f"已结束 {staff_id} 的 {n} 个登录和未使用的登录链接。")


def _person(config_file: Path, staff_id: str) -> tuple[Staff, Path, str]:
    from ..platform.loader import load_platform
    from ..platform.schema import meant

    if not config_file.is_file():
        raise LouyuError(str(config_file), 1, "找不到配置文件")
    platform, _ = load_platform(config_file)
    person = platform.staff().get(staff_id)
    if person is None:
        raise UsageProblem(staff_id, 1, f"{staff_id} 不是任何站点的人员{meant(staff_id, platform.staff())}")
    return person, platform.root, platform.settings.desk_url or "http://127.0.0.1:8765/"
