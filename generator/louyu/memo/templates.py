"""louyu's page templates as earlier builds compiled them (Jinja's bytecode cache).

Kept beside the build cache, like Python's own __pycache__: compiling the item page's
template costs more than the rest of making it. The renderer is handed it as Jinja's
`BytecodeCache` and knows nothing of where it lives.
"""

from __future__ import annotations

import marshal
import os
import shutil
import sys
import tempfile
from pathlib import Path

import jinja2

from ..version import code_fingerprint


def compiled_templates(folder: Path) -> jinja2.BytecodeCache | None:
    """louyu's templates kept compiled in `folder`, one subfolder per version of louyu, its
    libraries and Python (older ones removed): compiling the item page's template costs
    more than the rest of making it."""
    own = folder / f"templates-{code_fingerprint()}-{sys.implementation.cache_tag}"
    try:
        if not own.is_dir():
            for old in folder.glob("templates-*"):
                shutil.rmtree(old, ignore_errors=True)
            own.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unusable cache only costs time
    return _CompiledTemplates(own)


class _CompiledTemplates(jinja2.BytecodeCache):
    """One file per template: the digest of the source it was compiled from, a newline,
    the code (marshal, as Python's own __pycache__; the folder is as trusted as that, and
    unlike Jinja's own format no pickle is read). Written atomically; a file that does not
    match the source, or does not load, means compiling again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = (self.folder / bucket.key).read_bytes()
            digest, _, code = data.partition(b"\n")
            if digest.decode("ascii") == bucket.checksum:
                bucket.code = marshal.loads(code)
        except (OSError, ValueError, EOFError, TypeError, UnicodeDecodeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as fh:
                fh.write(bucket.checksum.encode("ascii") + b"\n" + marshal.dumps(bucket.code))
            os.replace(fh.name, self.folder / bucket.key)
        except OSError:
            pass  # compiled again next time
