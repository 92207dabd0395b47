"""The house's structure, checked: every module is seen by the import contracts, nothing imports in a cycle.

import-linter (``pyproject.toml``) checks only the modules it can see: a folder without
``__init__.py`` is invisible to it (so were ``trailmask.runbooks`` and its sqlglot imports). These
tests build the same import graph (grimp) and fail when a source file is not in it, when a
driver (sqlglot, duckdb, pyspark) is imported outside its one package, or when modules of
``src/`` import each other in a cycle (including function-level and TYPE_CHECKING imports).
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "trailmask"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("trailmask", include_external_packages=True, cache_dir=None)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_modules() -> set[str]:
    return {_module_name(p) for p in PACKAGE.rglob("*.py")}


def test_every_folder_with_python_is_a_package() -> None:
    folders = {p.parent for p in PACKAGE.rglob("*.py")}
    missing = sorted(str(f.relative_to(SRC)) for f in folders if not (f / "__init__.py").is_file())
    assert not missing, f"folders holding Python without __init__.py (invisible to import-linter): {missing}"


def test_every_module_is_in_the_import_graph(graph: grimp.ImportGraph) -> None:
    modules = _source_modules()
    assert len(modules) > 100
    missing = sorted(modules - set(graph.modules))
    assert not missing, f"modules the import contracts cannot see: {missing}"


@pytest.mark.parametrize(
    ("driver", "owner"),
    [("sqlglot", "trailmask.sqlkit"), ("duckdb", "trailmask.engines"), ("pyspark", "trailmask.engines")],
)
def test_drivers_are_imported_by_their_one_package(graph: grimp.ImportGraph, driver: str, owner: str) -> None:
    importers = graph.find_modules_that_directly_import(driver)
    assert importers, f"nothing imports {driver}: the check would pass vacuously"
    outside = sorted(m for m in importers if m != owner and not m.startswith(owner + "."))
    assert not outside, f"{driver} imported outside {owner}: {outside}"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components (more than one module, or a module importing itself)."""
    nodes = sorted(m for m in graph.modules if m.startswith("trailmask"))
    edges = {
        m: sorted(d for d in graph.find_modules_directly_imported_by(m) if d.startswith("trailmask")) for m in nodes
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:  # iterative Tarjan (the graph is deep enough to matter)
        nonlocal counter
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))

    for node in nodes:
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    """The check itself can fail: a two-module loop in a made-up graph is reported."""
    made_up = grimp.ImportGraph()
    for name in ("trailmask", "trailmask.a", "trailmask.b", "trailmask.c"):
        made_up.add_module(name)
    made_up.add_import(importer="trailmask.a", imported="trailmask.b")
    made_up.add_import(importer="trailmask.b", imported="trailmask.a")
    made_up.add_import(importer="trailmask.c", imported="trailmask.a")
    assert _cycles(made_up) == [["trailmask.a", "trailmask.b"]]


def test_no_import_cycle_in_src(graph: grimp.ImportGraph) -> None:
    cycles = _cycles(graph)
    assert not cycles, "modules importing each other in a loop: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_importlib_fallbacks_for_own_modules() -> None:
    """Modules of this package are imported, not probed "when installed" (issue 9.7): a fallback
    hid the service's runbook calls behind ``Any`` and the web UI behind a ModuleNotFoundError."""
    allowed = {"cli/main.py"}  # the lazy command group: loads cli.cmd_* modules on demand, by design
    found = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "importlib.import_module(" in path.read_text(encoding="utf-8")
        and str(path.relative_to(PACKAGE)) not in allowed
    )
    assert not found, f"importlib fallbacks for trailmask's own modules: {found}"


def test_test_modules_have_unique_names() -> None:
    """tests/ folders are not packages: two test files of one name are an import mismatch for pytest."""
    tests = Path(__file__).resolve().parent
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted(tests.rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(tests)} and {path.relative_to(tests)}")
        seen.setdefault(path.name, path)
    assert not clashes, f"rename one of each: {clashes}"
