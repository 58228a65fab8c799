"""The package's layout holds: imports run one way, from the flows and commands down to the stages and
from the stages down to the records, with no circles. Built from the source with `ast`, so lazy imports
inside functions count as much as the ones at the top of a module."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "voicemock"

# Lowest first. A module may import its own floor or any floor below it, never one above.
FLOORS = [
    {"records", "errors", "resources", "fsutil"},
    {"bank"},
    {"audio"},
    {"speech"},
    {"assess"},
    {"store"},
    {"present"},
    {"flows"},
    {"commands"},
    {"cli", "__main__", "__init__"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1 and parts != ["voicemock", "__init__"]:
        parts = parts[:-1]
    return ".".join(parts)


def room(module: str) -> str:
    """The top-level room of `voicemock.X...`: the subpackage, or the top-level module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def floor(module: str) -> int:
    name = room(module)
    for level, names in enumerate(FLOORS):
        if name in names:
            return level
    raise AssertionError(f"{module}: room {name!r} has no floor in tests/test_layout.py; add it to FLOORS")


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """voicemock modules that `path` imports, resolved to modules that exist."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] != "voicemock":
                continue
            # the longest existing module named by the import (a name imported from a module is not one)
            parts = target.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts:
                found.add(".".join(parts))
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    graph = {}
    for name, path in paths.items():
        # a package's __init__ is not "imported" by importing one of its modules by name
        graph[name] = {t for t in imports_of(path, modules) if t != name}
    return graph


def test_no_import_circles():
    graph = import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_imports_run_down_the_floors_only():
    graph = import_graph()
    upward = sorted(
        f"{src} (floor {floor(src)}) imports {dst} (floor {floor(dst)})"
        for src, targets in graph.items()
        for dst in targets
        if floor(dst) > floor(src) and room(src) != "__init__"
    )
    assert not upward, "imports that run back up a floor:\n" + "\n".join(upward)


def test_no_stage_imports_a_flow():
    graph = import_graph()
    stages = {"bank", "audio", "speech", "assess", "store", "present"}
    bad = sorted(f"{s} imports {d}" for s, ts in graph.items() for d in ts if room(s) in stages and room(d) == "flows")
    assert not bad, "\n".join(bad)


def test_every_subpackage_says_what_it_holds_and_may_import():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert doc, f"{init.parent.name}/__init__.py has no docstring"
        if init.parent.name != "commands":
            assert "May import" in doc, f"{init.parent.name}/__init__.py does not say what it may import"


def test_no_module_is_over_450_lines():
    long = sorted(f"{p.relative_to(PACKAGE)}: {n}" for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 450)
    assert not long, "modules over 450 lines:\n" + "\n".join(long)


def test_public_api_resolves_every_name_without_loading_heavy_modules():
    import subprocess
    import sys

    code = (
        "import sys, voicemock\n"
        "heavy = [m for m in ('faster_whisper', 'sklearn', 'sounddevice', 'onnxruntime') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "missing = [n for n in voicemock.__all__ if not hasattr(voicemock, n)]\n"
        "assert not missing, missing\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
