"""The stages form a one-way stack: a module imports only from the layers below its own.

An AST walk over every module of src/orgscaffold reads every import (at module level, inside
functions and under ``TYPE_CHECKING`` alike) and checks it against :data:`LAYERS`, so an import
cycle between stages cannot come back, and finds every import cycle between modules, so none can
hide behind an import inside a function (such imports are fine where they only defer a slow
import); each stage also imports on its own in a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "orgscaffold"

# Lowest first. A module (or package: ``plan`` covers ``plan.*``) may import from its own package
# and from lower layers only; modules of one layer do not import each other.
LAYERS: list[set[str]] = [
    {"errors", "cache", "bundle", "parallel", "data"},  # foundations
    {"git", "reading", "source"},  # git, YAML/answers reading, where the templates are
    {"questionnaire"},
    {"plan"},  # the plan, handover data included
    {"copier_adapter", "impact"},
    {"render", "verify", "documents", "publish"},  # the stages after the plan
    {"upgrade", "pipeline"},  # stages that string others together
    {"rehearse", "discover"},  # apply against the AWS emulator; read an existing AWS account
    {"cli"},
]
# Only these modules import copier and the HCL parser (the architecture's "only render imports
# copier; only verify imports hcl2").
THIRD_PARTY_OWNERS = {"copier": {"copier_adapter"}, "hcl2": {"verify"}, "plumbum": {"copier_adapter"}}


def _unit(module: str) -> str:
    """The layer unit of a dotted module name below orgscaffold (``plan.dns`` -> ``plan``)."""
    return module.split(".", 1)[0]


def _layer(unit: str) -> int:
    for index, members in enumerate(LAYERS):
        if unit in members:
            return index
    raise AssertionError(f"orgscaffold.{unit} is in no layer: add it to LAYERS in {__file__}")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path, module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import in ``path``; ``from P import X``
    names the module ``P.X`` when there is one (a submodule), else ``P``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested.update(id(child) for child in ast.walk(node) if child is not node)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:  # relative: from . import dns, from ..git import run
                parts = ["orgscaffold", *package.split(".")] if package else ["orgscaffold"]
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            names = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule.removeprefix("orgscaffold.") in MODULES:  # from orgscaffold.plan import dns
                    names.append(submodule)
                elif base not in names and alias.name != "__version__":
                    names.append(base)
        found += [(name, node.lineno, id(node) in nested) for name in names]
    return found


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        if module:
            _layer(_unit(module))


@pytest.mark.parametrize("module", [m for m in MODULES if m], ids=lambda m: m)
def test_imports_point_down_the_stack(module: str) -> None:
    own = _unit(module)
    wrong = []
    for imported, line, _ in _imports(MODULES[module], module):
        top = imported.split(".", 1)[0]
        if top in THIRD_PARTY_OWNERS and own not in THIRD_PARTY_OWNERS[top]:
            wrong.append(f"line {line}: imports {imported}; only {sorted(THIRD_PARTY_OWNERS[top])} may")
        if not imported.startswith("orgscaffold.") or imported == "orgscaffold":
            continue
        unit = _unit(imported.removeprefix("orgscaffold."))
        if unit != own and _layer(unit) >= _layer(own):
            wrong.append(f"line {line}: imports {imported} (layer {_layer(unit)}) from layer {_layer(own)}")
    assert not wrong, f"orgscaffold.{module}:\n" + "\n".join(wrong)


def _graph() -> dict[str, dict[str, int]]:
    """Module -> the modules importing it runs first (with the line), package ``__init__`` included.

    Importing ``plan.dns`` runs ``plan`` first, unless the importer is inside ``plan`` (then ``plan``
    is already being imported, and Python finds the submodule).
    """
    graph: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        edges = graph.setdefault(module, {})
        for imported, line, _ in _imports(path, module):
            if not imported.startswith("orgscaffold."):
                continue
            target = imported.removeprefix("orgscaffold.")
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                runs = ".".join(parts[:depth])
                inside = module == runs or module.startswith(f"{runs}.")
                if runs and runs != module and (depth == len(parts) or not inside):
                    edges.setdefault(runs, line)
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    described = [
        " <-> ".join(f"{m} (line {graph[m][n]}: {n})" for m in group for n in graph[m] if n in group)
        for group in _cycles(graph)
    ]
    assert not described, "import cycles:\n" + "\n".join(described)


def test_the_walk_sees_imports_and_cycles(tmp_path: Path) -> None:
    """The checks find an import hidden inside a function, and a cycle (so a pass means something)."""
    path = tmp_path / "handover.py"
    path.write_text("def f():\n    from orgscaffold.render import template_source\n", encoding="utf-8")
    assert _imports(path, "plan.handover") == [("orgscaffold.render", 2, True)]
    relative = tmp_path / "__init__.py"
    relative.write_text("from . import dns\nfrom .names import Names\nfrom .. import git\n", encoding="utf-8")
    assert [name for name, _, _ in _imports(relative, "plan")] == [
        "orgscaffold.plan.dns",
        "orgscaffold.plan.names",
        "orgscaffold.git",
    ]
    assert _cycles({"plan": {"plan.handover": 1}, "plan.handover": {"render": 2}, "render": {"plan": 3}}) == [
        ["plan", "plan.handover", "render"]
    ]
    assert _cycles({"plan": {"plan.dns": 1}, "plan.dns": {}}) == []


STAGES = sorted({_unit(m) for m in MODULES if m} - {"data"})


@pytest.mark.parametrize("unit", STAGES)
def test_each_stage_imports_alone_in_a_fresh_interpreter(unit: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import orgscaffold.{unit}"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
