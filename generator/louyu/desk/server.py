"""Running the desk: the address it listens on, the host names it answers to, uvicorn."""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from pathlib import Path
from typing import Callable

from ..platform.problems import LouyuError

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
DEFAULT_ADDRESS = "127.0.0.1:8765"


def parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(address)
    return host, int(port)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def is_everywhere(host: str) -> bool:
    return host in ("0.0.0.0", "::")


def served_hosts(host: str, extra: list[str]) -> set[str]:
    """The host names a browser may reach the desk by (the Host header allowlist): the loopback
    names on a loopback address; the address itself; on 0.0.0.0 this machine's names and
    addresses; and every name given with --allow-host (e.g. a reverse proxy's)."""
    hosts = {h.lower() for h in extra} | {host.lower()}
    if is_loopback(host) or is_everywhere(host):
        hosts |= LOOPBACK_NAMES
    if is_everywhere(host):
        name = socket.gethostname()
        hosts |= {name.lower(), socket.getfqdn().lower()}
        try:
            hosts |= {str(info[4][0]).lower() for info in socket.getaddrinfo(name, None)}
        except OSError:
            pass
    return hosts


def warning_for(host: str) -> str | None:
    """What listening beyond this computer means, in Chinese (None on a loopback address)."""
    if is_loopback(host):
        return None
    return (
        f"注意：书桌在 {host} 上监听，同一网络中的其他设备都能连到它。登录链接和登录后的 Cookie 在网络上以明文传输，"
        "请务必放在 HTTPS 之后（用 --cert/--key 提供证书，或用反向代理如 nginx/Caddy 提供 HTTPS，并用 --allow-host 写上它的域名）。"
    )


def _check_free(host: str, port: int) -> None:
    """A port another program holds is said in Chinese before anything starts (uvicorn would
    print an English error after the desk's address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = {
                errno.EADDRINUSE: f"端口 {port} 已被其他程序占用：请换一个端口，例如 -a {host}:{port + 1}",
                errno.EACCES: "没有权限使用这个端口（1024 以下的端口须以管理员身份运行）：请换一个端口",
                errno.EADDRNOTAVAIL: f"本机没有地址 {host}：请用 127.0.0.1，或本机网卡的地址",
            }.get(exc.errno or 0, f"系统拒绝了（{exc.strerror or exc}）")
            raise LouyuError("-a", 1, f"不能在 {host}:{port} 上启动书桌：{why}") from None


def run(
    config_file: Path, address: str, allow_hosts: list[str], log: Callable[[str], None],
    cert: Path | None = None, key: Path | None = None, ready: threading.Event | None = None,
) -> None:
    import uvicorn

    from .app import make_app
    from .identity import ensure_ignored
    from .workspace import Desk

    host, port = parse_address(address)
    _check_free(host, port)
    desk = Desk(config_file)
    ensure_ignored(desk.root)
    app = make_app(desk, served_hosts(host, allow_hosts))
    scheme = "https" if cert else "http"
    shown = f"[{host}]" if ":" in host else host
    warning = warning_for(host)
    if warning:
        log(warning)
    log(f"书桌地址：{scheme}://{'127.0.0.1' if is_everywhere(host) else shown}:{port}/（Ctrl+C 结束）")
    log("登录：用 louyu desk invite 人员编号 生成个人登录链接。")
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
        ssl_certfile=str(cert) if cert else None, ssl_keyfile=str(key) if key else None,
    )
    server = uvicorn.Server(config)
    if ready is not None:
        ready.set()
    server.run()
