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
allowed-signers list built from the signer's key that was valid at the decision's
`at` (`key`, or the entries of `keys` whose valid_after / valid_before hold it): a key
changed later does not void what the old one signed, and a key never signs before it
became valid or after it expired.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..platform.recall import Recall, Scratch
from .gate import KEYGEN, SignatureCheck, zone  # noqa: F401 (KEYGEN: for the commands)
from ..platform.model import Decision, Item, Platform, StaffKey

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
    tz = zone(platform)

    def check(item: Item, decision: Decision) -> bool:
        person = staff.get(decision.by)
        if person is None or not decision.signature:
            return False
        message = message_for(item, decision)
        return any(_verified(message, decision.signature, person.id, k.key) for k in person.keys_at(decision.at, tz))

    def _verified(message: bytes, signature: str, signer: str, public_key: str) -> bool:
        h = hashlib.sha256(b"louyu-signature-v1\0")
        for part in (message, signature.encode(), signer.encode(), public_key.strip().encode()):
            h.update(len(part).to_bytes(8, "big") + part)
        return bool(results.get(h.hexdigest(), lambda: verify(message, signature, signer, public_key)))

    results: Recall = known if known is not None else Scratch()
    return check


def fingerprint(public_key: str) -> str:
    """The key's SHA256 fingerprint as `ssh-keygen -l` prints it, with its comment."""
    parts = public_key.split()
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (IndexError, binascii.Error):
        return public_key[:40]
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    comment = f"（{' '.join(parts[2:])}）" if len(parts) > 2 else ""
    return f"{parts[0]} SHA256:{digest}{comment}"


def describe_keys(keys: list[StaffKey]) -> str:
    """The keys a signature was checked against, for a staff member's message."""
    return "、".join(fingerprint(k.key) for k in keys)


def _need_ssh_keygen() -> None:
    if shutil.which("ssh-keygen") is None:
        raise RuntimeError("找不到 ssh-keygen：请安装 OpenSSH 客户端（Debian: apt-get install openssh-client）")
