"""`louyu new DIR`: a new platform a new admin can build at once.

A central station and one substation, an example item in every section (one
with an attachment), their approvals in the ledgers, a README for the
platform's own staff, and a git repository with everything committed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from ..platform import clock
from ..platform.problems import LouyuError, UsageProblem, os_reason
from ..review.signatures import KEYGEN

SKELETON = Path(__file__).parent.parent / "skeleton"


def create(target: Path, require_signatures: bool = False) -> list[str]:
    """Write the platform into `target`; returns the approved item paths. With
    `require_signatures` every decision must be signed: the examples are left pending
    (no instructor has a key yet), for the instructors to approve with theirs."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageProblem(str(target), 1, "目标文件夹已存在且不是空的：请指定一个新的文件夹")
    today = clock.today("Asia/Shanghai")
    first_next = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    values = {"{today}": today.isoformat(), "{month}": today.strftime("%Y-%m"), "{next_month}": (first_next + dt.timedelta(days=9)).isoformat()}
    existed = target.exists()
    try:
        _write_skeleton(target, values)
        if require_signatures:
            _require_signatures(target / "mkdocs.yml")
    except OSError as exc:  # a read-only place, a full disk, a file in the way
        if not existed:
            shutil.rmtree(target, ignore_errors=True)  # nothing half-made left behind
        raise LouyuError(str(exc.filename or target), 1, f"无法新建平台：{os_reason(exc)}") from None
    approved = [] if require_signatures else _approve_examples(target)
    _git_commit(target)
    return approved


def _write_skeleton(target: Path, values: dict[str, str]) -> None:
    for src in sorted(SKELETON.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        rel = src.relative_to(SKELETON)
        dest = target / (".gitignore" if rel.as_posix() == "gitignore" else rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".md":
            text = src.read_text("utf-8")
            for key, value in values.items():
                text = text.replace(key, value)
            dest.write_text(text, "utf-8")
        else:
            shutil.copyfile(src, dest)


def _require_signatures(config: Path) -> None:
    text = config.read_text("utf-8")
    setting = "      require_signatures: false\n"
    assert setting in text, "the skeleton's mkdocs.yml sets require_signatures"
    config.write_text(text.replace(setting, "      require_signatures: true\n"), "utf-8")


def _approve_examples(root: Path) -> list[str]:
    from ..platform.loader import load_platform
    from ..review.ledger import record_decisions

    platform, problems = load_platform(root / "mkdocs.yml")
    if problems.errors:  # pragma: no cover - the skeleton is tested
        raise LouyuError(str(problems.errors[0].path), problems.errors[0].line, problems.errors[0].message)
    central = [i.path for i in platform.items if i.station == platform.central.id]
    local = [i.path for i in platform.items if i.station != platform.central.id]
    record_decisions(platform, central, "approved", "zhidaoyuan", note="示例条目")
    record_decisions(platform, local, "approved", "fenzhan-1-zhidao", note="示例条目")
    return sorted(central + local)


def _git_commit(root: Path) -> None:
    if shutil.which("git") is None:
        return
    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    who = [] if git("config", "user.name").stdout.strip() else ["-c", "user.name=louyu", "-c", "user.email=louyu@localhost"]
    subprocess.run(["git", "-C", str(root), *who, "commit", "-qm", "新建楼宇党建共享平台（louyu new）"], capture_output=True)


def next_steps(directory: Path, approved: list[str], require_signatures: bool) -> list[str]:
    """What `louyu new` says when done, including what protects the review ledger."""
    if require_signatures:
        lines = [
            f"已在 {directory} 新建平台：每一次审核都须签名（mkdocs.yml 的 require_signatures: true），"
            "示例条目尚未审核。下一步：",
            f"  cd {directory}",
            "  每位党建指导员在自己的电脑上生成密钥（私钥只留在本人电脑上）：",
            f"    {KEYGEN}",
            "  把 .pub 文件中的一行写进 stations/ 中本人的 key:，提交；然后审核示例条目：",
            "    louyu review list",
            "    louyu review approve <路径> --by <人员编号> --key ~/.ssh/louyu-review",
            "  然后阅读 README.md（“审核记录的保护”一节），修改 mkdocs.yml 和 stations/ 中的站点信息。",
        ]
        return lines
    return [
        f"已在 {directory} 新建平台（{len(approved)} 个示例条目已审核）。下一步：",
        f"  cd {directory}",
        "  louyu check && louyu build",
        "  然后阅读 README.md，修改 mkdocs.yml 和 stations/ 中的站点信息。",
        "注意：此平台不要求审核签名，能向仓库提交的人都能以任何指导员的名义写入审核记录。"
        "请在 git 托管平台上保护 reviews/（分支保护、代码所有者 CODEOWNERS），"
        "或用 louyu new --require-signatures 新建要求签名的平台（见 README.md 的“审核记录的保护”）。",
    ]
