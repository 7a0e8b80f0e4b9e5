"""The package's import contract: dependencies point one way, and no module imports itself
back through others.

The stages of ``pipeline/`` in flow order (docs/architecture.md); a module may import its own
stage and the stages before it, and the cross-cutting modules, which import no stage:

    errors, settings, secrets, timeutil  <  config  <  posts  <  ingest  <  scoring
      <  warehouse  <  detect  <  notify  <  steps  <  cli

``dags/`` call ``steps`` (and read the plain settings in ``steps.orchestration``). Every
import counts, also the ones inside functions: a late import hides a cycle, it does not
remove it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"

CROSS_CUTTING = ("errors", "settings", "secrets", "timeutil")
STAGES = ("config", "posts", "ingest", "scoring", "warehouse", "detect", "notify", "steps", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``pipeline`` module that ``path`` imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pipeline" or node.module.startswith("pipeline."):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.add(candidate if _exists(candidate) else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("pipeline")}
    return found


def _exists(module: str) -> bool:
    base = ROOT / module.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _rank(module: str) -> int | None:
    """0 for the cross-cutting modules, 1.. for the stages in flow order; None for the
    package itself."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    if parts[1] in CROSS_CUTTING:
        return 0
    return STAGES.index(parts[1]) + 1


def test_every_module_belongs_to_a_stage_or_is_cross_cutting() -> None:
    strays = [m for m in _graph() if m != "pipeline" and _rank(m) is None]
    unknown = [m for m in _graph() if m.count(".") >= 1 and m.split(".")[1] not in
               (*CROSS_CUTTING, *STAGES)]  # fmt: skip
    assert not strays and not unknown, f"modules outside the map: {strays + unknown}"


def test_dependencies_point_one_way() -> None:
    wrong = []
    for module, imported in _graph().items():
        rank = _rank(module)
        for target in imported:
            target_rank = _rank(target)
            if rank is None or target_rank is None:
                continue
            if target_rank > rank:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the flow:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


def test_the_package_imports_no_benchmark_or_evaluation_code() -> None:
    offenders = defaultdict(list)
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name == "benchmarks" or name.startswith("benchmarks."):
                    offenders[str(path.relative_to(ROOT))].append(name)
    # The command line may run them from a checkout, through one loader (cli/tooling.py).
    offenders.pop("pipeline/cli/tooling.py", None)
    assert not offenders, dict(offenders)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_is_over_six_hundred_lines_unless_it_is_data(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    pure_data = path.name == "phrases.py"  # the demo's phrase lists: data, no logic
    assert pure_data or lines <= 600, f"{path.relative_to(ROOT)}: {lines} lines"
