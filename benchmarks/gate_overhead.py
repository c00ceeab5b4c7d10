"""Benchmark (issue #15, figure 1): the ship gate's wall time vs raw llama-cpp-python decoding of the same prompts.

Picks N fixed gate cases spread over the case files and runs the contract layer on them exactly as a user
does, in a fresh process: `pytest evals/test_contract.py::test_contract[<id>]... -m contract --model=gguf
--no-cache` (imports, case and threshold loading, judge training, model load, generation, every check, the
reports). Then, in another fresh process, raw llama-cpp-python: load the same GGUF, compile the same grammar,
and decode the same rendered prompts (llm.reset() per case, as the gate does) to the same completion token
counts, greedy. Fails (exit 1) unless the raw texts equal the gate's. Ratio = gate wall / raw wall; target
<= 1.15. Writes benchmarks/results/gate_overhead-<model>-<UTC time>.json.

Rerun (from the repository root, with the venv and the release built; about 7 min for 48 cases):

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/gate_overhead.py
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, code_sha256, gate_cases, timed, utc_now, verdict, write_result


def run_gate(cases, gguf: Path, scratch: Path) -> float:
    nodes = [f"evals/test_contract.py::test_contract[{case.id}]" for case in cases]
    command = [sys.executable, "-m", "pytest", *nodes, "-m", "contract", "--model=gguf", f"--model-path={gguf}",
               "--no-cache", f"--generations-dir={scratch / 'generations'}", f"--report-dir={scratch / 'reports'}",
               "-p", "no:cacheprovider", "-q"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    wall, done = timed(lambda: subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True))
    if not (scratch / "reports" / "eval-gguf-contract.json").is_file():
        raise SystemExit(f"the gate wrote no report (exit {done.returncode}):\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return wall


def gate_generations(cases, gguf: Path, scratch: Path) -> list[dict]:
    """Each case's messages and the gate's answer to it, read back from the generations it cached."""
    from josi.core.io import sha256_file
    from josi.core.prompt import build_messages
    from josi.eval.backends import DecodeSettings
    from josi.eval.cache import GenerationCache

    cache = GenerationCache(sha256_file(gguf), scratch / "generations")
    settings_key = DecodeSettings().key()  # what open_backend("gguf") decodes with
    out = []
    for case in cases:
        messages = build_messages(case.context, case.user)
        entry = cache.entries[cache.key(messages, settings_key)]
        out.append({"id": case.id, "messages": messages, "text": entry["text"], "tokens": entry["completion_tokens"]})
    return out


def raw_worker(job: Path) -> None:
    """The baseline, in its own process: plain llama-cpp-python, nothing of josi's."""
    started = time.perf_counter()
    from llama_cpp import Llama, LlamaGrammar
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    spec = json.loads(job.read_text())
    llm = Llama(model_path=spec["gguf"], n_ctx=2048, n_threads=spec["threads"], seed=0, verbose=False)
    grammar = LlamaGrammar.from_string(json_schema_to_gbnf(json.dumps(spec["schema"])), verbose=False)
    texts = []
    for item in spec["prompts"]:
        llm.reset()
        out = llm.create_chat_completion(messages=item["messages"], temperature=0.0, max_tokens=item["tokens"],
                                         seed=0, grammar=grammar)
        texts.append(out["choices"][0]["message"]["content"] or "")
    job.with_suffix(".out.json").write_text(json.dumps({"texts": texts, "seconds": time.perf_counter() - started}))


def run_raw(prompts: list[dict], gguf: Path, scratch: Path, threads: int) -> tuple[float, list[str]]:
    from josi.core.contract import llm_intent_schema

    job = scratch / "raw.json"
    job.write_text(json.dumps({"gguf": str(gguf), "threads": threads, "schema": llm_intent_schema(),
                               "prompts": [{"messages": p["messages"], "tokens": p["tokens"]} for p in prompts]}))
    wall, done = timed(lambda: subprocess.run([sys.executable, __file__, "--raw-worker", str(job)],
                                              capture_output=True, text=True))
    if done.returncode:
        raise SystemExit(f"raw decoding failed:\n{done.stderr[-2000:]}")
    return wall, json.loads(job.with_suffix(".out.json").read_text())["texts"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", default=str(REPO / "artifacts" / "release" / "josi-q4_k_m.gguf"))
    parser.add_argument("--cases", type=int, default=48, help="fixed gate cases, spread over the case files (default 48)")
    parser.add_argument("--raw-worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.raw_worker:
        raw_worker(Path(args.raw_worker))
        return 0
    from josi.eval.backends import DecodeSettings

    gguf = Path(args.gguf).resolve()
    if not gguf.is_file():
        raise SystemExit(f"{gguf}: no such GGUF; `josi release build` writes the release one, or pass --gguf")
    cases = gate_cases(args.cases)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        gate_wall = run_gate(cases, gguf, scratch)
        prompts = gate_generations(cases, gguf, scratch)
        raw_wall, raw_texts = run_raw(prompts, gguf, scratch, DecodeSettings().n_threads)
    mismatches = [p["id"] for p, text in zip(prompts, raw_texts) if p["text"] != text]
    tokens = sum(p["tokens"] for p in prompts)
    result = {
        "benchmark": "gate_overhead", "issue_figure": 1, "model": gguf.stem, "gguf": str(gguf),
        "command": " ".join(["benchmarks/gate_overhead.py", *(sys.argv[1:] if argv is None else argv)]),
        "utc": utc_now(), "cases": [c.id for c in cases], "completion_tokens": tokens,
        "identical_outputs": not mismatches, "mismatched_cases": mismatches,
        "wall_seconds": {"gate": round(gate_wall, 3), "raw_llama_cpp": round(raw_wall, 3)},
        "gate_overhead_seconds": round(gate_wall - raw_wall, 3),
        "ratio_gate_over_raw": round(gate_wall / raw_wall, 3), "target_ratio": 1.15,
        "code_sha256": code_sha256("josi/eval/session.py", "josi/eval/backends.py", "evals/conftest.py",
                                   "benchmarks/gate_overhead.py"),
    }
    out = write_result("gate_overhead", gguf.stem, result)
    return verdict(f"{gguf.stem}: {len(cases)} cases, {tokens} tokens; gate {gate_wall:.1f} s, raw llama-cpp "
                   f"{raw_wall:.1f} s: ratio {result['ratio_gate_over_raw']} (target <= 1.15); identical: "
                   f"{not mismatches}; {out}", mismatches, "raw decoding gave other answers for")


if __name__ == "__main__":
    sys.exit(main())
