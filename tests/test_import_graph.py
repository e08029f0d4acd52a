"""No import cycles inside `leerplein`, function-level imports included.

A cycle hidden in a function works until someone moves that import to the top of the file (or
calls the function while the other module is half-loaded); then the program fails at start. The
graph is read from the source with `ast`, so nothing is imported to check it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def module_names(src: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of `package` under `src`."""
    found = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module of `name`, or of its nearest enclosing package that is one of ours."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_edges(src: Path, package: str) -> dict[str, dict[str, int]]:
    """module -> {imported module of ours: line of the (first) import}, at any depth of the file."""
    modules = module_names(src, package)
    edges: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from .x import y
                    anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                    base = ".".join(anchor + ([base] if base else []))
                # `from pkg import sub` imports the submodule; `from mod import func` the module
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                resolved = _resolve(target, modules)
                if resolved and resolved != name:
                    edges[name].setdefault(resolved, node.lineno)
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[tuple[list[str], list[str]]]:
    """Each strongly connected group of modules (Tarjan), with one cycle in it as a path
    a -> b -> ... -> a."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [(_cycle_in(sorted(group), edges), sorted(group)) for group in groups]


def _cycle_in(group: list[str], edges: dict[str, dict[str, int]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(edges[node]):
                if nxt not in members:
                    continue
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle in strongly connected group {group}")


def describe(cycle: list[str], edges: dict[str, dict[str, int]]) -> str:
    return " -> ".join(f"{a} (line {edges[a][b]})" for a, b in zip(cycle, cycle[1:])) + f" -> {cycle[-1]}"


def test_leerplein_has_no_import_cycle():
    edges = import_edges(SRC, "leerplein")
    assert len(edges) > 100 and sum(map(len, edges.values())) > 100  # it did read the package
    found = [f"{describe(cycle, edges)}\n  (every cycle among these must go: {', '.join(group)})"
             for cycle, group in cycles(edges)]
    assert not found, "Import cycles in leerplein:\n" + "\n".join(found)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    """The probe: the checker sees imports inside functions, `from pkg import submodule` and
    relative imports, and names the modules of the cycle."""
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/a.py": "from pkg.sub.b import thing\n",
        "pkg/sub/b.py": "def thing():\n    from pkg.sub import c\n",
        "pkg/sub/c.py": "import os\n\ndef later():\n    from . import a\n",
        "pkg/d.py": "from pkg.sub import a\nimport pkg.sub.b\n",  # reaches the cycle, is not in it
    })
    edges = import_edges(tmp_path, "pkg")
    assert edges["pkg.d"] == {"pkg.sub.a": 1, "pkg.sub.b": 2}
    found = cycles(edges)
    assert found == [(["pkg.sub.a", "pkg.sub.b", "pkg.sub.c", "pkg.sub.a"], ["pkg.sub.a", "pkg.sub.b", "pkg.sub.c"])]
    assert describe(found[0][0], edges) == "pkg.sub.a (line 1) -> pkg.sub.b (line 2) -> pkg.sub.c (line 4) -> pkg.sub.a"


def test_no_cycle_no_report(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "import json\n"})
    edges = import_edges(tmp_path, "pkg")
    assert edges == {"pkg": {}, "pkg.a": {"pkg.b": 1}, "pkg.b": {}}
    assert cycles(edges) == []


def test_every_name_imported_from_leerplein_exists():
    """Imports inside functions run only when the function does: a name moved to another module
    (hub/ports.py, hub/people.py, …) must not leave a caller that fails at its first use."""
    import importlib

    missing = []
    for folder in ("src/leerplein", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                        and node.module.split(".")[0] == "leerplein"):
                    continue
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if alias.name == "*" or hasattr(module, alias.name):
                        continue
                    try:
                        importlib.import_module(f"{node.module}.{alias.name}")
                    except ImportError:
                        missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} from {node.module}")
    assert missing == []
