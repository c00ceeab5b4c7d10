#!/usr/bin/env python3
"""Set up .venv once (or again when pyproject.toml changes), then run a josi command or the tests.

    python3 bootstrap.py gate                            # the ship gate on the release (builds it first if missing)
    python3 bootstrap.py josi ask "Why is today easy?"   # any `josi` subcommand
    python3 bootstrap.py test                            # the test suite (extra args go to pytest)

Only the standard library is used here, so it works on a machine that has nothing but python3.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".josi-installed"
LLAMA_CPP_VERSION = "0.3.36"  # must match pyproject.toml; a test checks it


def wanted_stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def portable_llama_wheel() -> Path:
    """Build llama-cpp-python once without -march=native and keep the wheel.

    pip's own wheel cache would hand a wheel compiled for the CPU that first built it (AVX-512 on
    one machine) to a machine without those instructions, where every llama.cpp call dies with
    SIGILL. GGML_NATIVE=OFF compiles for the AVX2/FMA/F16C baseline that every machine here has;
    the wheel sits in a folder named after the flags so a native build is never picked up.
    """
    folder = Path.home() / ".cache" / "josi-wheels" / f"llama-cpp-python-{LLAMA_CPP_VERSION}-native-off"
    wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
    if wheels:
        return wheels[-1]
    print(f"building llama-cpp-python {LLAMA_CPP_VERSION} for the AVX2 baseline (~11 min on 2 cores, once per machine)", flush=True)
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "wheel", "--disable-pip-version-check", "--no-cache-dir", "--no-deps",
         "--wheel-dir", str(staging), f"llama-cpp-python=={LLAMA_CPP_VERSION}"],
        check=True,
        env={**os.environ, "CMAKE_ARGS": "-DGGML_NATIVE=OFF"},
    )
    staging.rename(folder)  # whole or absent: an interrupted build leaves only the .partial folder
    return next(folder.glob("llama_cpp_python-*.whl"))


def ensure_venv() -> None:
    if STAMP.exists() and STAMP.read_text() == wanted_stamp():
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    print("installing josi and its pinned dependencies (the first time builds llama-cpp-python: ~14 min on 2 cores with an empty pip cache)", flush=True)
    # torch first and alone: the pinned CPU build on this machine, never a CUDA build pulled by a range.
    subprocess.run(pip + ["torch==2.13.0"], check=True)
    subprocess.run(pip + [str(portable_llama_wheel())], check=True)
    subprocess.run(pip + ["-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted_stamp())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("gate", "josi", "test"):
        print(__doc__.strip())
        return 2
    ensure_venv()
    if argv[0] == "gate":  # the main job: rebuild the committed release (sha256-checked), then gate it
        built = subprocess.run([str(BIN / "josi"), "release", "build"], cwd=ROOT).returncode
        if built != 0:
            return built
        command = [str(BIN / "python"), "-m", "pytest", "evals", "-m", "contract", "--model=gguf", *argv[1:]]
    elif argv[0] == "test":
        command = [str(BIN / "python"), "-m", "pytest", *argv[1:]]
    else:
        command = [str(BIN / "josi"), *argv[1:]]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
