"""The house in order (README "Layout"): every module of app/ imports, no import circle, app/domain stays pure, and
no file in app/ grows past 600 lines but the data tables.

The import graph is read from the source with ``ast``: an edge for every ``import app.x`` / ``from app.x import y``
anywhere in a module (inside functions too: a lazy import is a dependency all the same), to the module named, or to
``app.x.y`` where ``y`` is itself a module. Importing a submodule also runs its package's ``__init__``; that implicit
step is not an edge (a package's ``__init__`` naming its own submodules is not a circle).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
MAX_LINES = 600
# Data tables, not code: the vocabularies (codes and their labels in lv and en).
DATA_TABLES = {"app/domain/vocab.py"}
# What app/domain may import from app besides itself: the texts people read, and the one error hierarchy (which
# imports nothing from app, see test_the_error_hierarchy_imports_nothing_from_app).
DOMAIN_MAY_IMPORT = ("app.domain", "app.texts", "app.errors")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(APP.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The app modules ``name`` imports (see the module docstring)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` (its modules in order, the first again at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.startswith("app.migrations")))
def test_every_module_imports(name):
    importlib.import_module(name)


def test_no_import_circle():
    assert cycle(GRAPH) is None, " -> ".join(cycle(GRAPH))


def test_the_cycle_finder_finds_circles():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_domain_imports_nothing_from_app_outside_the_domain_and_the_texts():
    outside = {f"{name} imports {target}" for name, targets in GRAPH.items() if name.startswith("app.domain")
               for target in targets if not target.startswith(DOMAIN_MAY_IMPORT)}
    assert not outside, sorted(outside)


def test_the_error_hierarchy_imports_nothing_from_app():
    assert GRAPH["app.errors"] == set()


def test_no_file_in_app_is_over_600_lines_but_the_data_tables():
    long = {str(p.relative_to(ROOT)): n for p in APP.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) <= DATA_TABLES, long
    assert all((ROOT / table).exists() for table in DATA_TABLES)  # the allow-list names no file that is gone


# What the composition root (app.composition.build) alone builds: engines, sessions, document loaders, key stores,
# trust lists, remote fetchers, the services. (Services' default for a process without a trust list is no list.)
BUILT_BY_THE_ROOT = {"make_engine", "make_session_factory", "load_documents", "make_document_loader", "KeyStore",
                     "TrustList", "RemoteFetcher", "Services"}
ROOT_EXCEPTIONS = {("app/services.py", "TrustList")}


def test_one_composition_root():
    """Every entry point gets its engine, loader, key store, trust list and fetcher from app.composition.build."""
    elsewhere = set()
    for path in APP.rglob("*.py"):
        where = str(path.relative_to(ROOT))
        if where == "app/composition.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if called in BUILT_BY_THE_ROOT and (where, called) not in ROOT_EXCEPTIONS:
                    elsewhere.add(f"{where}:{node.lineno} {called}()")
    assert not elsewhere, sorted(elsewhere)


def test_the_readme_layout_names_every_module():
    """README "Layout" lists every module of app/ (its path, or its name within its folder's entry)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    missing = [str(p.relative_to(ROOT)) for p in APP.rglob("*.py")
               if p.name != "__init__.py" and "migrations" not in p.parts and p.name not in layout]
    assert not missing, missing
