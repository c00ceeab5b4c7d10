"""bootstrap.py builds llama-cpp-python itself (portable, no -march=native); its pin must be pyproject's."""
import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bootstrap_constant(name: str) -> str:
    tree = ast.parse((ROOT / "bootstrap.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"bootstrap.py defines no {name}")


def test_the_portable_llama_wheel_is_the_version_pyproject_pins():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [re.split(r"==", d)[1] for d in dependencies if d.startswith("llama-cpp-python==")]
    assert pins == [bootstrap_constant("LLAMA_CPP_VERSION")]


def test_the_llama_wheel_is_built_without_native_instructions():
    source = (ROOT / "bootstrap.py").read_text()
    assert '"CMAKE_ARGS": "-DGGML_NATIVE=OFF"' in source
    assert "--no-cache-dir" in source  # pip's wheel cache may hold a native build from another CPU
