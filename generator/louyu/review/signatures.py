"""Signed review decisions, made and checked with OpenSSH's `ssh-keygen -Y`.

The signed message is exactly these UTF-8 bytes (each line ends with "\\n"):

    louyu-review-v1
    path: <the item's path, e.g. content/a/news/x.md>
    decision: <approved|rejected|withdrawn>
    digest: <sha256:...>
    by: <staff id>
    at: <the decision time, ISO 8601 with offset, as datetime.isoformat() writes it>

signed in the namespace `louyu-review`. Because the path, decision, digest,
signer and time are all inside, a signature copied onto another item, another
decision or another revision verifies nowhere. Verification uses an
allowed-signers list built from the `key` of each staff entry.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..platform.recall import Recall, Scratch
from .gate import SignatureCheck
from ..platform.model import Decision, Item, Platform

NAMESPACE = "louyu-review"


def signed_message(path: str, decision: str, digest: str, by: str, at: str) -> bytes:
    return (
        f"louyu-review-v1\npath: {path}\ndecision: {decision}\ndigest: {digest}\nby: {by}\nat: {at}\n"
    ).encode("utf-8")


def message_for(item: Item, decision: Decision) -> bytes:
    return signed_message(item.path, decision.decision, decision.digest, decision.by, decision.at.isoformat())


def sign(message: bytes, private_key: Path) -> str:
    """An armored SSH signature of `message` (raises RuntimeError with ssh-keygen's words)."""
    _need_ssh_keygen()
    with tempfile.TemporaryDirectory(prefix="louyu-sign-") as tmp:
        msg = Path(tmp) / "message"
        msg.write_bytes(message)
        proc = subprocess.run(
            ["ssh-keygen", "-q", "-Y", "sign", "-f", str(private_key), "-n", NAMESPACE, str(msg)],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip() or "ssh-keygen 签名失败")
        return (Path(tmp) / "message.sig").read_text("ascii")


def verify(message: bytes, signature: str, signer: str, public_key: str) -> bool:
    if shutil.which("ssh-keygen") is None:
        return False
    with tempfile.TemporaryDirectory(prefix="louyu-verify-") as tmp:
        allowed = Path(tmp) / "allowed_signers"
        allowed.write_text(f'{signer} namespaces="{NAMESPACE}" {public_key.strip()}\n', "utf-8")
        sig = Path(tmp) / "sig"
        sig.write_text(signature if signature.endswith("\n") else signature + "\n", "ascii", errors="replace")
        proc = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", signer, "-n", NAMESPACE, "-s", str(sig)],
            input=message,
            capture_output=True,
        )
        return proc.returncode == 0


def signature_checker(platform: Platform, known: Recall | None = None) -> SignatureCheck:
    """Checks a decision's signature against its signer's key (no key: nothing verifies).

    `known`: results of earlier builds, keyed by a digest of the message, the signature,
    the signer and their key (ssh-keygen costs ~5 ms a signature, every build)."""
    staff = platform.staff()

    def check(item: Item, decision: Decision) -> bool:
        person = staff.get(decision.by)
        if person is None or person.key is None or not decision.signature:
            return False
        message = message_for(item, decision)
        h = hashlib.sha256(b"louyu-signature-v1\0")
        for part in (message, decision.signature.encode(), person.id.encode(), person.key.strip().encode()):
            h.update(len(part).to_bytes(8, "big") + part)
        key = h.hexdigest()
        return bool(results.get(key, lambda: verify(message, decision.signature or "", person.id, person.key or "")))

    results: Recall = known if known is not None else Scratch()
    return check


def _need_ssh_keygen() -> None:
    if shutil.which("ssh-keygen") is None:
        raise RuntimeError("找不到 ssh-keygen：请安装 OpenSSH 客户端（Debian: apt-get install openssh-client）")
