"""The hub's import graph, read from the source: no import cycles, no private names across apps.

The graph is built with ``ast`` from every module of the ``ecwhub`` package, counting imports at
module level and inside functions alike (a function-level import that closes a cycle is still a
cycle, only a hidden one), but not those under ``if TYPE_CHECKING:``, which never run.

The areas checked strictly are listed in ``STRICT``; cycles and private imports elsewhere in the
package are printed (``pytest -s``) so they can be seen, and the list can be widened to ``("ecwhub",)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGE = "ecwhub"
ROOT = Path(__file__).resolve().parents[2]
STRICT = (PACKAGE,)


@dataclass(frozen=True)
class Import:
    """One imported name: ``module`` is the ecwhub module it runs, ``name`` the name taken from it
    (empty for ``import x.y`` and for a submodule taken by ``from package import submodule``)."""

    importer: str
    module: str
    name: str
    line: int


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is named by its ``__init__.py``)."""
    found: dict[str, Path] = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree except the bodies of ``if TYPE_CHECKING:`` (their ``else`` runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _known(dotted: str) -> str | None:
    """The longest prefix of ``dotted`` that is a module of the package."""
    parts = dotted.split(".")
    while parts:
        name = ".".join(parts)
        if name in modules():
            return name
        parts.pop()
    return None


def _base(importer: str, level: int, module: str | None) -> str:
    """The absolute module named by a (possibly relative) ``from ... import``."""
    if level == 0:
        return module or ""
    package = importer if modules()[importer].name == "__init__.py" else importer.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{module}" if module else package


def _imports_in(importer: str, tree: ast.AST) -> list[Import]:
    found: list[Import] = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name)
                if target is not None:
                    found.append(Import(importer, target, "", node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = _base(importer, node.level, node.module)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules():
                    found.append(Import(importer, submodule, "", node.lineno))
                elif (target := _known(base)) is not None:
                    found.append(Import(importer, target, alias.name, node.lineno))
    return found


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(modules()[module].read_text(encoding="utf-8"), filename=str(modules()[module]))


@cache
def imports_of(importer: str) -> tuple[Import, ...]:
    return tuple(_imports_in(importer, _tree(importer)))


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports (module level and function level)."""
    return {name: {i.module for i in imports_of(name) if i.module != name} for name in modules()}


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative: the graph has hundreds of modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
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
                result.append(sorted(component))
    return result


def import_cycles(modules_prefixes: Iterable[str]) -> list[list[str]]:
    """Every import cycle among the modules under ``modules_prefixes`` (dotted names, e.g.
    ``"ecwhub.directory"``): the strongly connected components of more than one module of the graph
    restricted to those modules. ``import_cycles(("ecwhub",))`` gives every cycle of the package."""
    prefixes = tuple(modules_prefixes)
    graph = {
        name: {target for target in targets if _within(target, prefixes)}
        for name, targets in import_graph().items()
        if _within(name, prefixes)
    }
    return sorted(component for component in _components(graph) if len(component) > 1)


def _app(module: str) -> str:
    """The app a module belongs to: ``ecwhub.<app>`` (``ecwhub.directory.search`` is ``directory``)."""
    return ".".join(module.split(".")[:2])


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass(frozen=True, order=True)
class PrivateUse:
    importer: str
    name: str
    module: str
    line: int = field(compare=False)

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} takes {self.name} from {self.module}"


def _private_uses_in(importer: str, tree: ast.AST) -> list[PrivateUse]:
    """Private names ``importer`` takes from another app's module: ``from module import _name``,
    ``module._name`` on a module it imported (``import a.b as m``, ``from a import b``), or a
    private submodule itself."""
    imported = _imports_in(importer, tree)
    aliases: dict[str, str] = {}
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            base = _base(importer, node.level, node.module) if isinstance(node, ast.ImportFrom) else ""
            for alias in node.names:
                dotted = f"{base}.{alias.name}" if base else alias.name
                if dotted in modules() and (alias.asname or isinstance(node, ast.ImportFrom)):
                    aliases[alias.asname or alias.name] = dotted
    uses = [(i.module, i.name, i.line) for i in imported if i.name]
    uses += [(i.module, i.module.rpartition(".")[2], i.line) for i in imported if not i.name]
    uses += [
        (aliases[node.value.id], node.attr, node.lineno)
        for node in _runtime_nodes(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
    ]
    return sorted(
        {
            PrivateUse(importer, name, module, line)
            for module, name, line in uses
            if _private(name) and _app(module) != _app(importer)
        }
    )


def private_imports(modules_prefixes: Iterable[str]) -> list[PrivateUse]:
    """Private names (leading underscore, not dunder) one app takes from another app's module, where
    the importing or the imported module is under one of ``modules_prefixes``."""
    prefixes = tuple(modules_prefixes)
    return [
        use
        for importer in modules()
        for use in _private_uses_in(importer, _tree(importer))
        if _within(use.importer, prefixes) or _within(use.module, prefixes)
    ]


# Private names a checked area still takes from an app outside the checked areas, each with why it is
# not fixed from the checked side. Every entry must still occur, so the list can only shrink.
KNOWN_PRIVATE_IMPORTS: dict[tuple[str, str, str], str] = {}


def test_no_import_cycles_in_the_checked_areas() -> None:
    everywhere = import_cycles((PACKAGE,))
    checked = import_cycles(STRICT)
    elsewhere = [cycle for cycle in everywhere if cycle not in checked]
    for cycle in elsewhere:
        print("import cycle not confined to the checked areas:", " ↔ ".join(cycle))
    assert checked == []


def test_no_app_takes_a_private_name_from_another() -> None:
    checked = private_imports(STRICT)
    for use in private_imports((PACKAGE,)):
        if use not in checked:
            print("private name across apps outside the checked areas:", use)
    found = {(use.importer, use.name, use.module) for use in checked}
    assert sorted(found - set(KNOWN_PRIVATE_IMPORTS)) == []
    assert sorted(set(KNOWN_PRIVATE_IMPORTS) - found) == [], "fixed: take it off KNOWN_PRIVATE_IMPORTS"


def test_private_names_are_found_however_they_are_taken() -> None:
    source = (
        "from ecwhub.screening.services import _answer_rows, result_rows\n"
        "from ecwhub.demo import data\n"
        "from . import clock\n"
        "import ecwhub.families.api as families_api\n"
        "families_api._membership\n"
        "data._private_in_the_same_app\n"
        "clock.__name__\n"
    )
    uses = _private_uses_in("ecwhub.demo.generator", ast.parse(source))
    assert [(u.name, u.module, u.line) for u in uses] == [
        ("_answer_rows", "ecwhub.screening.services", 1),
        ("_membership", "ecwhub.families.api", 5),
    ]


def test_the_graph_sees_relative_function_level_and_submodule_imports() -> None:
    """The reader itself: the edges it must find (and skip) in the package as it is."""
    graph = import_graph()
    # ``from . import models`` in a package module names the submodule, not the package.
    assert "ecwhub.directory.models" in graph["ecwhub.directory.selectors"]
    # Imports inside ``AppConfig.ready()`` are function-level and count.
    assert "ecwhub.identity.signals" in graph["ecwhub.identity.apps"]
    # An artificial cycle is found, and only where asked.
    graph_with_cycle = {"a.x": {"a.y"}, "a.y": {"a.x"}, "b.z": {"a.x"}}
    components = [c for c in _components(graph_with_cycle) if len(c) > 1]
    assert components == [["a.x", "a.y"]]


def test_type_checking_imports_are_left_out() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\nelse:\n    import b\n")
    names = [alias.name for node in _runtime_nodes(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert names == ["b"]
