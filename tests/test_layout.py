"""The house's layout holds: no import circle, a pure rule engine, modules a person can read.

The one direction between apps is import-linter's (`make lint`, contracts in pyproject.toml);
these checks cover what it does not: circles inside an app, imports hidden in functions
included, and the size of every module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "portal",
    "officers",
    "applications",
    "permits",
    "documents",
    "cases",
    "rules",
    "universities",
    "accounts",
    "notifications",
    "core",
)
MAX_LINES = 400
ONE_PIECE = "one piece"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(module: str) -> None:
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_import_circle_among_the_portals_modules():
    graph = grimp.build_graph(*APPS, cache_dir=None)
    assert _cycles(graph) == []


def test_the_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert _cycles(graph) == [["a.one", "a.two"]]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_rule_engine_uses_neither_the_orm_nor_requests():
    imported = _imported_modules(ROOT / "rules" / "eligibility.py")
    django = {name for name in imported if name == "django" or name.startswith("django.")}
    # Translations and date formats for the messages people read; nothing else of Django.
    assert django <= {
        "django.utils",
        "django.utils.formats",
        "django.utils.functional",
        "django.utils.translation",
    }


def _source_files() -> list[Path]:
    files = []
    for folder in (*APPS, "bench", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                files.append(path)
    return files


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_is_short_or_says_why_it_is_one_piece(path: Path):
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert ONE_PIECE in docstring.lower(), (
        f"{path.relative_to(ROOT)} has {lines} lines: split it by concern, or say at its top "
        f"why it must be {ONE_PIECE}"
    )
