"""The package's layers, read from its own imports (every `import`, also those inside
functions and under TYPE_CHECKING): data flows one way, and remembering is one layer.

    platform → review → publish → outputs → render → pipeline → commands
                 memo: what earlier builds remember, used by pipeline and commands only
                 importer: Word documents in (knows the platform's model only), used by commands
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator" / "louyu"

# layer -> the layers it may import (itself always)
ALLOWED: dict[str, set[str]] = {
    "platform": set(),
    "review": {"platform"},
    "publish": {"platform", "review"},
    "outputs": {"platform", "review", "publish"},
    "render": {"platform", "review", "publish", "outputs"},
    "memo": {"platform"},
    # Word documents in, item drafts and bundles out (louyu import and the desk): pure, quiet
    "importer": {"platform"},
    "pipeline": {"platform", "review", "publish", "outputs", "render", "memo"},
    "desk": {"platform", "review", "publish", "outputs", "render", "memo", "pipeline", "importer"},
    "commands": {"platform", "review", "publish", "outputs", "render", "memo", "pipeline", "importer", "desk"},
}
# Modules outside the layers, each with its reason in its docstring; anyone may import the
# first two (what this installation is), and only __main__ imports a layer.
TOP_LEVEL = {"__init__", "version", "__main__"}
FOUNDATION = {"louyu", "louyu.version"}
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        found[".".join(["louyu", *parts])] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The louyu modules `name` imports, resolved (relative imports included)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "louyu")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "louyu":
                continue
            for alias in node.names:  # `from . import config` imports a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if module in FOUNDATION or (len(parts) == 2 and parts[1] in TOP_LEVEL):
        return None
    return parts[1]


def test_every_module_is_in_a_layer_or_says_why_it_is_not() -> None:
    for name, path in MODULES.items():
        layer = layer_of(name)
        if layer is None:
            assert ast.get_docstring(ast.parse(path.read_text("utf-8"))), f"{name}: a module outside the layers says why"
        else:
            assert layer in ALLOWED, f"{name} is in no layer ({sorted(ALLOWED)})"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_one_way(name: str) -> None:
    layer = layer_of(name)
    for target in sorted(_imports(name, MODULES[name])):
        assert target in MODULES or target.rpartition(".")[0] in MODULES, f"{name} imports {target}, which does not exist"
        other = layer_of(target)
        if other is None:
            assert target in FOUNDATION or name == "louyu.__main__", f"{name} imports {target}"
            continue
        if layer is None:
            assert name == "louyu.__main__", f"{name} (outside the layers) imports {target}"
            continue
        assert other == layer or other in ALLOWED[layer], f"{name} ({layer}) imports {target} ({other})"


def test_the_layers_have_no_cycle() -> None:
    edges = {layer: set() for layer in ALLOWED}
    for name, path in MODULES.items():
        layer = layer_of(name)
        for target in _imports(name, path):
            other = layer_of(target)
            if layer and other and other != layer:
                edges[layer].add(other)
    seen: dict[str, str] = {}

    def visit(layer: str, trail: list[str]) -> None:
        assert seen.get(layer) != "open", f"a cycle of layers: {' -> '.join(trail + [layer])}"
        if layer in seen:
            return
        seen[layer] = "open"
        for other in sorted(edges[layer]):
            visit(other, trail + [layer])
        seen[layer] = "done"

    for layer in sorted(edges):
        visit(layer, [])


def test_only_pipeline_and_commands_know_the_memo_layer() -> None:
    # The model, the gate, the renderers and the outputs know nothing of caches: where a step
    # must look something up, it is handed a platform/recall.py Recall (memo/ implements it).
    for name, path in MODULES.items():
        if layer_of(name) in ("platform", "review", "publish", "outputs", "render"):
            assert not {t for t in _imports(name, path) if layer_of(t) == "memo"}, name


def test_no_module_is_too_long_to_read() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES}
    assert not long, f"over {MAX_LINES} lines: {long}"


def test_the_rules_see_the_imports_they_judge() -> None:
    # A rule that cannot fail checks nothing: the reader must find the loader's imports.
    loader = _imports("louyu.platform.loader", MODULES["louyu.platform.loader"])
    assert {"louyu.platform.model", "louyu.platform.items", "louyu.platform.config"} <= loader, loader
    pipeline = _imports("louyu.pipeline.build", MODULES["louyu.pipeline.build"])
    assert {"louyu.memo.cache", "louyu.render.site", "louyu.publish"} <= pipeline
    assert layer_of("louyu.render.site") == "render" and layer_of("louyu.version") is None


CLOCK_READS = ("now", "today", "utcnow")


def _clock_reads(tree: ast.AST) -> list[int]:
    """Lines that read the wall clock for a date: datetime.now(), date.today(), utcnow()
    (perf_counter and monotonic, which time durations, are not dates)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLOCK_READS:
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
            if name in ("datetime", "date"):
                found.append(node.lineno)
    return found


def test_louyu_reads_the_clock_in_one_place() -> None:
    # Everything that depends on "now" asks platform/clock.py, so that `--clock`, LOUYU_CLOCK
    # and the tests' --today move all of it at once.
    reads = {
        name: lines
        for name, path in MODULES.items()
        if name != "louyu.platform.clock" and (lines := _clock_reads(ast.parse(path.read_text("utf-8"))))
    }
    assert reads == {}
    # ... and the rule sees a read where there is one.
    sample = "import datetime as dt\nx = dt.datetime.{}(tz)\ny = dt.date.{}()".format(*CLOCK_READS[:2])  # (read by the rule, never run)
    assert _clock_reads(ast.parse(sample)) == [2, 3]
    assert _clock_reads(ast.parse(MODULES["louyu.platform.clock"].read_text("utf-8")))
