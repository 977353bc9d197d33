"""Generate a benchmark platform: 1 central + N substations, M Chinese items, all approved.

    python benchmarks/workload.py DIR --stations 10 --items 400 [--central-share 0.7] [--photo-every 10]

Items are spread over the five sections; `central-share` of them belong to the
central station (broadcasts to every site), the rest to substations in turn.
Every item gets an approval by an eligible instructor, so everything publishes.
The text is drawn from the seed standards' vocabulary, deterministic per seed.
With `--photo-every N`, every Nth item is a bundle with a phone photo (12 megapixels, GPS
in its EXIF) as its cover and in its body.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))

from louyu.platform.loader import load_platform  # noqa: E402
from louyu.platform.model import CATALOGUE  # noqa: E402
from louyu.review.ledger import append_entry  # noqa: E402

WORDS = (
    "楼宇 党建 共享 平台 总站 分站 统一 标识 线上 线下 同步 更新 党员 群众 服务 "
    "活动 主题 讲堂 书吧 沙龙 综合馆 志愿 服务 学习 教育 组织 生活 党务 公开 资料 "
    "分享 课件 电子 图书 邀约 指导员 管理员 维护员 导览员 审核 发布 商圈 街道 社区 "
    "两企三新 劳动者 新就业 群体 骑手 驿站 金融 科技 创新 青年 共建 共治 评价 改进 "
    "满意率 准确率 完成率 办结率 联席 会议 制度 规范 建设 引领 凝聚 发展 经济"
).split()

SECTIONS = ["news", "disclosures", "resources", "activities", "themes"]

MKDOCS = """\
site_name: 基准测试平台
site_url: https://bench.example.cn/
theme:
  name: material
  language: zh
  palette:
    primary: red
plugins:
  - search
  - louyu
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc:
      permalink: true
"""


def sentence(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n)) + "。"


def body(rng: random.Random) -> str:
    parts = []
    for h in range(3):
        parts.append(f"## {sentence(rng, 3)[:-1]}\n")
        for _ in range(2):
            parts.append(" ".join(sentence(rng, rng.randint(12, 24)) for _ in range(3)) + "\n")
    parts.append("| 项目 | 数量 |\n|---|---|\n| 参加人数 | 42 |\n| 活动次数 | 3 |\n")
    return "\n".join(parts)


def front(title: str, date: dt.date, author: str, section: str, i: int, audience: str | None) -> str:
    lines = ["---", f"title: {title}", f"date: {date.isoformat()}", f"author: {author}", f"summary: {title}的摘要"]
    if audience:
        lines.append(f"audience: {audience}")
    if section == "activities":
        start = date + dt.timedelta(days=30)
        lines += [f"start: {start.isoformat()} 14:00", f"end: {start.isoformat()} 16:00", "location: 讲堂", "capacity: 50", "signup: 电话报名"]
    if section == "disclosures":  # (public: the figures stay those of the public build)
        lines += ["scope: public", f"category: {CATALOGUE[i % len(CATALOGUE)]}"]
    if section == "themes":
        month = (date.replace(day=1) - dt.timedelta(days=31 * (i % 12))).strftime("%Y-%m")
        lines.append(f"month: {month}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def phone_photo(seed: int) -> bytes:
    """A 4000×3000 JPEG as a phone writes it, GPS included: soft shapes, light falling across
    and sensor grain, so that it compresses as a photo does (noise alone is a worst case no
    camera makes)."""
    import io

    from PIL import Image

    shapes = Image.effect_noise((160, 120), 60 + seed % 20).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
    light = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    grain = Image.effect_noise((4000, 3000), 12).convert("RGB")
    image = Image.blend(Image.blend(shapes, light, 0.35), grain, 0.12)
    exif = Image.Exif()
    exif[0x0112] = 1
    exif.get_ifd(0x8825).update({1: "N", 2: (32.0, 29.0, float(seed % 60)), 3: "E", 4: (119.0, 55.0, 3.2)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def generate(root: Path, stations: int, items: int, central_share: float = 0.7, seed: int = 1, photo_every: int = 0) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS, "utf-8")
    (root / "stations").mkdir(exist_ok=True)
    ids = ["central"] + [f"s{n:02d}" for n in range(1, stations + 1)]
    for n, sid in enumerate(ids):
        kind = "central" if n == 0 else "substation"
        (root / "stations" / f"{sid}.yml").write_text(
            f"name: {'总站' if n == 0 else f'第{n}分站'}\nkind: {kind}\naddress: 测试路 {n} 号\nrooms: [讲堂, 书吧]\n"
            f"staff:\n  - {{id: {sid}-inst, name: 指导员{n}, role: instructor}}\n  - {{id: {sid}-admin, name: 管理员{n}, role: admin}}\n",
            "utf-8",
        )
    today = dt.date.today()
    n_central = round(items * central_share)
    for i in range(items):
        owner = "central" if i < n_central else ids[1 + (i - n_central) % stations]
        section = SECTIONS[i % len(SECTIONS)]
        date = today - dt.timedelta(days=rng.randint(1, 700))
        title = sentence(rng, 4)[:-1] + f"（{i}）"
        path = root / "content" / owner / section / f"item-{i:05d}.md"
        text = front(title, date, f"{owner}-admin", section, i, None) + body(rng)
        if photo_every and i % photo_every == 0:
            path = path.with_suffix("") / "index.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.parent / "photo.jpg").write_bytes(phone_photo(i))
            text = text.replace("\n---\n", "\ncover: photo.jpg\n---\n", 1) + "\n![现场照片](photo.jpg)\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    approve_all(root)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=b@example.cn", "commit", "-qm", "bench"], cwd=root, check=True)
    return root


def approve_all(root: Path) -> None:
    platform, problems = load_platform(root / "mkdocs.yml")
    assert not problems.errors, problems.errors[:5]
    at = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0).isoformat()
    for item in platform.items:
        by = f"{item.station}-inst" if not item.reaches_beyond_owner() else "central-inst"
        append_entry(root / item.ledger_path, {"decision": "approved", "digest": item.digest, "by": by, "at": at})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--central-share", type=float, default=0.7)
    parser.add_argument("--photo-every", type=int, default=0, help="every Nth item has a phone photo (0: none)")
    args = parser.parse_args()
    generate(args.dir, args.stations, args.items, args.central_share, photo_every=args.photo_every)


if __name__ == "__main__":
    main()
