"""The layering, checked on the source: core imports no stage, a stage imports only core and itself,
and no module imports another that (directly or not) imports it back. Lazy imports inside functions
count: a cycle hidden in a function body is still a cycle.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "josi"
STAGES = ("knowledge", "gold", "data", "train", "export", "eval")
TOP = {"josi.cli"}  # the command table may import every stage
APP_FACING = "josi.generated"  # rendered cards for the app: imports nothing of josi
MAX_LINES = 400


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The josi modules a file imports, resolved to the longest known module name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from josi.x import y`: the submodule y when there is one, else a name defined in josi.x
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                     for alias in node.names]
        for name in names:
            if name.split(".")[0] != "josi":
                continue
            parts = name.split(".")
            for n in range(len(parts), 0, -1):
                if ".".join(parts[:n]) in known:
                    found.add(".".join(parts[:n]))
                    break
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    known = set(files)
    return {name: imported_modules(path, known) - {name} for name, path in files.items()}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if module in TOP:
        return "top"
    if len(parts) > 1 and parts[1] in ("core", *STAGES):
        return parts[1]
    if module.startswith(APP_FACING):
        return "generated"
    return "unlayered"


def layering_problems(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, imports in sorted(graph.items()):
        layer = layer_of(module)
        if layer == "unlayered" and module != "josi":
            problems.append(f"{module}: not in josi/core, a stage package or josi/cli.py")
        for target in sorted(imports):
            target_layer = layer_of(target)
            if layer == "top" or target_layer == layer:
                continue
            if layer == "generated" or target_layer != "core":
                problems.append(f"{module} ({layer}) imports {target} ({target_layer})")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_core_imports_no_stage_and_stages_import_only_core():
    assert layering_problems(import_graph()) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_no_source_file_is_long():
    long = {module_name(p): n for p in PACKAGE.rglob("*.py") if not module_name(p).startswith(APP_FACING)
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_says_its_place_in_the_pipeline():
    missing = [module_name(p) for p in PACKAGE.rglob("*.py")
               if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert missing == []


# ---- the checker itself must be able to fail --------------------------------------------------

def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "josi" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "josi"


@pytest.mark.parametrize("files, expected", [
    ({"core/a.py": "from josi.data import b\n", "data/b.py": ""}, "josi.core.a (core) imports josi.data.b (data)"),
    ({"data/a.py": "def f():\n    from josi.eval.b import g\n", "eval/b.py": ""}, "josi.data.a (data) imports josi.eval.b (eval)"),
    ({"helpers.py": ""}, "josi.helpers: not in josi/core"),
])
def test_layering_check_catches_a_wrong_import(tmp_path, files, expected):
    problems = layering_problems(import_graph(write(tmp_path, files)))
    assert any(expected in p for p in problems), problems


def test_layering_check_accepts_stage_to_core_and_within_stage(tmp_path):
    root = write(tmp_path, {"core/a.py": "", "data/b.py": "from josi.core import a\n", "data/c.py": "import josi.data.b\n",
                            "cli.py": "import josi.data.c\n"})
    assert layering_problems(import_graph(root)) == []


def test_cycle_check_finds_a_lazy_cycle(tmp_path):
    root = write(tmp_path, {"export/w.py": "from josi.export.v import E\n",
                            "export/v.py": "def f():\n    from josi.export import w\n", "export/__init__.py": ""})
    assert cycles(import_graph(root)) == [["josi.export.v", "josi.export.w"]]
    assert cycles(import_graph(write(tmp_path / "ok", {"export/w.py": "from josi.export.v import E\n", "export/v.py": ""}))) == []
