"""Benchmark (issue #15, figure 2): llama.cpp's KV cache kept across gate cases vs a fresh cache per case.

Takes N gate cases spread over the case files, renders them as the gate does (josi.core.prompt.build_messages)
and sorts them so neighbours share their longest prefix (`prompt_order`: a depth-first walk of the trie
of prompts, the fewest tokens to prefill with one KV cache). Then generates them all three ways, same
DecodeSettings and grammar, alternating for --repeats passes: `gate_default` (llm.reset() before every case, the
prompt prefilled in one piece: the gate), `pinned_reset` (a fresh cache per case, the prompt prefilled in two
pieces: the persona's shared system prefix, then the rest) and `pinned_reuse` (the same two pieces, the prefix
kept in the KV cache when the previous prompt had it). Fails (exit 1) unless pinned_reuse gives pinned_reset's
texts, finish reasons and token counts exactly; reports how many answers differ from gate_default (plain
`reuse_prefix` without pinning changed 16 of 48 in results/prefix_reuse-josi-q4_k_m-20261201T200244Z.json).
Also counts the prompt tokens llama.cpp evaluated each way. Writes benchmarks/results/prefix_reuse-<model>-<UTC time>.json.

Rerun (from the repository root, with the venv; about 6 min for 48 cases on the 2-core CPU):

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/prefix_reuse.py --gguf artifacts/release/josi-q4_k_m.gguf
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from common import REPO, code_sha256, gate_cases, timed, utc_now, verdict, write_result


class EvalCounter:
    """Wraps Llama.eval to count the prompt and completion tokens llama.cpp actually evaluates."""

    def __init__(self, llm):
        self.tokens = 0
        self._eval = llm.eval
        llm.eval = self

    def __call__(self, tokens):
        self.tokens += len(tokens)
        return self._eval(tokens)


def prompt_order(item: tuple[str, list[dict[str, str]]]) -> str:
    """The messages in the order the chat template renders them."""
    return "\x00".join(f"{m['role']}\x01{m['content']}" for m in item[1])


def generate_all(backend, prompts):
    return [backend.generate(messages) for messages in prompts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", default=str(REPO / "artifacts" / "release" / "josi-q4_k_m.gguf"),
                        help="the GGUF to decode with (default: the release, josi release build)")
    parser.add_argument("--cases", type=int, default=48, help="gate cases, spread over the case files (default 48)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="timed passes of each way; the median counts")
    args = parser.parse_args(argv)
    from dataclasses import asdict

    from josi.core.prompt import build_messages
    from josi.eval.backends import DecodeSettings, LlamaCppBackend

    gguf = Path(args.gguf)
    if not gguf.is_file():
        raise SystemExit(f"{gguf}: no such GGUF; `josi release build` writes the release one, or pass --gguf")
    items = sorted(((case.id, build_messages(case.context, case.user)) for case in gate_cases(args.cases)), key=prompt_order)
    prompts = [messages for _, messages in items]
    settings = DecodeSettings(n_threads=args.threads)
    ways = {"gate_default": LlamaCppBackend(gguf, settings),
            "pinned_reset": LlamaCppBackend(gguf, settings, pin_prefix=True),
            "pinned_reuse": LlamaCppBackend(gguf, settings, pin_prefix=True, reuse_prefix=True)}
    counters = {way: EvalCounter(backend.llm) for way, backend in ways.items()}
    for backend in ways.values():
        backend.generate(prompts[0])  # warm-up: both start with the first prompt in the cache
    walls, answers, evaluated = {way: [] for way in ways}, {}, {}
    for _ in range(args.repeats):
        for way, backend in ways.items():
            counters[way].tokens = 0
            backend.generate(prompts[-1])  # each pass starts from the same cache state: the last prompt's
            counters[way].tokens = 0
            wall, answers[way] = timed(lambda: generate_all(backend, prompts))
            walls[way].append(round(wall, 3))
            evaluated[way] = counters[way].tokens
    reference, reused, default = answers["pinned_reset"], answers["pinned_reuse"], answers["gate_default"]
    mismatches = [items[i][0] for i, (a, b) in enumerate(zip(reference, reused)) if a != b]
    unlike_gate = [items[i][0] for i, (a, b) in enumerate(zip(reference, default)) if a != b]
    median = {way: statistics.median(times) for way, times in walls.items()}
    label = gguf.stem
    result = {
        "benchmark": "prefix_reuse", "issue_figure": 2, "model": label, "gguf": str(gguf),
        "command": " ".join(["benchmarks/prefix_reuse.py", *(sys.argv[1:] if argv is None else argv)]),
        "utc": utc_now(), "settings": asdict(settings), "cases": [case_id for case_id, _ in items],
        "repeats": args.repeats, "completion_tokens": sum(g.completion_tokens for g in reference),
        "identical_outputs": not mismatches, "mismatched_cases": mismatches,
        "pinned_answers_unlike_gate_default": unlike_gate,
        "prefix_hits": ways["pinned_reuse"].prefix_hits,
        "tokens_evaluated": evaluated, "wall_seconds": walls,
        "median_wall_seconds": {way: round(v, 3) for way, v in median.items()},
        "seconds_per_case": {way: round(v / len(prompts), 3) for way, v in median.items()},
        "speedup_reuse_over_reset": round(median["pinned_reset"] / median["pinned_reuse"], 3),
        "speedup_reuse_over_gate_default": round(median["gate_default"] / median["pinned_reuse"], 3),
        "target": "a speedup with identical outputs",
        "code_sha256": code_sha256("josi/eval/backends.py", "benchmarks/prefix_reuse.py"),
    }
    out = write_result("prefix_reuse", label, result)
    return verdict(f"{label}: {len(prompts)} cases; gate default {median['gate_default']:.1f} s "
                   f"({evaluated['gate_default']} tokens evaluated), pinned reset {median['pinned_reset']:.1f} s "
                   f"({evaluated['pinned_reset']}), pinned reuse {median['pinned_reuse']:.1f} s ({evaluated['pinned_reuse']}): "
                   f"speedup {result['speedup_reuse_over_reset']}x over pinned reset, "
                   f"{result['speedup_reuse_over_gate_default']}x over the gate default; identical to pinned reset: "
                   f"{not mismatches}; {len(unlike_gate)} answers unlike the gate default; {out}",
                   mismatches, "prefix reuse changed the answers of")

if __name__ == "__main__":
    sys.exit(main())
