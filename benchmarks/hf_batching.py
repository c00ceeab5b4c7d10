"""Benchmark (issue #15, figure 4): HF greedy generation of the gate's prompts, one at a time vs batched.

Measures `josi.eval.backends.TransformersBackend` on the first N gate cases (evals/cases, rendered with
josi.core.prompt.build_messages, exactly what the gate generates): wall time and completion tokens/s of
`generate` called once per prompt, then of `generate_batch` over chunks of --batch-size (left-padded), with
the same DecodeSettings, after one warm-up call. It asserts that both ways give identical texts, finish
reasons and token counts (the gate caches generations under a key that does not name the batch), and writes
benchmarks/results/hf_batching-<model>-<UTC time>.json: both rates, their ratio (the figure; issue target
>= 3x on the 135M), every repeat's wall time, and the machine (CPUs, torch threads, load, versions).

Rerun (from the repository root, with the venv):

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/hf_batching.py                      # tiny random Llama: seconds
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/hf_batching.py --checkpoint smollm2-135m --max-tokens 64

`--checkpoint` takes what `josi ask --model` takes for HF (a model name or a checkpoint directory). The tiny
model (hidden 64, 2 layers, the real SmolLM2 tokenizer) only proves the script and the equality; its
ratio says little about the 135M, whose matmuls, not Python overhead, decide the speed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from common import REPO, code_sha256, machine, timed, utc_now, write_result

TINY = "tiny"


def write_tiny_llama(folder: Path) -> Path:
    """A random 2-layer Llama on the real SmolLM2 tokenizer (as tests/test_hf_batching.py builds it)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from josi.core.models import load_tokenizer, resolve

    tokenizer = load_tokenizer(resolve().checkpoint)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                         tie_word_embeddings=False, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    with torch.no_grad():  # attention far above the usual init, so the context (and any padding error) matters
        for layer in model.model.layers:
            for projection in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj,
                               layer.self_attn.o_proj):
                projection.weight.normal_(0, 0.5)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def gate_prompts(n: int) -> list[list[dict[str, str]]]:
    """The first n gate cases (file order) as the chat messages the gate sends."""
    from josi.core.prompt import build_messages
    from josi.eval.cases import load_case_files

    cases = load_case_files(REPO / "evals" / "cases")
    if n > len(cases):
        raise SystemExit(f"--prompts {n}: the gate has only {len(cases)} cases")
    return [build_messages(case.context, case.user) for case in cases[:n]]


def one_at_a_time(backend, prompts):
    return [backend.generate(messages) for messages in prompts]


def batched(backend, prompts, batch_size: int):
    out = []
    for start in range(0, len(prompts), batch_size):
        out += backend.generate_batch(prompts[start:start + batch_size])
    return out


def measure(checkpoint: str, label: str, args: argparse.Namespace) -> dict:
    from dataclasses import asdict

    from josi.eval.backends import DecodeSettings, TransformersBackend

    settings = DecodeSettings(max_tokens=args.max_tokens, n_threads=args.threads, grammar=False)
    backend = TransformersBackend(checkpoint, settings)
    prompts = gate_prompts(args.prompts)
    backend.generate(prompts[0])  # warm-up: first-call allocations and lazy imports are not either way's cost
    walls = {"one_at_a_time": [], "batched": []}
    answers = {}
    for _ in range(args.repeats):  # alternate, so drift in the machine's load hits both ways alike
        wall, answers["one_at_a_time"] = timed(lambda: one_at_a_time(backend, prompts))
        walls["one_at_a_time"].append(round(wall, 4))
        wall, answers["batched"] = timed(lambda: batched(backend, prompts, args.batch_size))
        walls["batched"].append(round(wall, 4))
    single, together = answers["one_at_a_time"], answers["batched"]
    mismatches = [i for i, (a, b) in enumerate(zip(single, together)) if a != b]
    tokens = sum(g.completion_tokens for g in single)
    median = {way: statistics.median(times) for way, times in walls.items()}
    rate = {way: round(tokens / seconds, 1) for way, seconds in median.items()}
    return {
        "benchmark": "hf_batching", "issue_figure": 4, "model": label, "checkpoint": checkpoint,
        "command": " ".join(["benchmarks/hf_batching.py", *args.argv]),
        "utc": utc_now(),
        "settings": asdict(settings), "prompts": len(prompts), "batch_size": args.batch_size,
        "repeats": args.repeats, "completion_tokens": tokens,
        "finish_reasons": {r: sum(g.finish_reason == r for g in single) for r in ("stop", "length")},
        "identical_outputs": not mismatches, "mismatched_prompts": mismatches,
        "wall_seconds": walls, "median_wall_seconds": {k: round(v, 4) for k, v in median.items()},
        "tokens_per_second": rate,
        "ratio_batched_over_one_at_a_time": round(rate["batched"] / rate["one_at_a_time"], 3),
        "target_ratio": 3.0,
        "code_sha256": code_sha256("josi/eval/backends.py", "benchmarks/hf_batching.py"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=TINY, help="'tiny' (built here, default), a model name or a checkpoint dir")
    parser.add_argument("--prompts", type=int, default=16, help="how many gate cases (default 16)")
    parser.add_argument("--batch-size", type=int, default=8, help="prompts per generate_batch (the gate's pregenerate uses 8)")
    parser.add_argument("--max-tokens", type=int, default=None, help="decode budget (default: the gate's, 384)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (the gate's default, 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes of each way; the median counts")
    parser.add_argument("--out-dir", default=str(REPO / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded, so the result says how to rerun it
    from josi.core.contract.schema import GENERATION_MAX_TOKENS

    args.max_tokens = args.max_tokens or GENERATION_MAX_TOKENS
    with tempfile.TemporaryDirectory() as scratch:
        if args.checkpoint == TINY:
            checkpoint, label = str(write_tiny_llama(Path(scratch))), TINY
        else:
            from josi.core.models import resolve

            checkpoint = resolve(args.checkpoint).checkpoint
            label = Path(args.checkpoint).name if Path(args.checkpoint).is_dir() else args.checkpoint
        result = measure(checkpoint, label, args)
    if label == TINY:
        result["checkpoint"] = "tiny random Llama built by this script (hidden 64, 2 layers, seed 0)"
    out = write_result("hf_batching", label, result, Path(args.out_dir))
    rate = result["tokens_per_second"]
    print(f"{label}: {result['prompts']} prompts, {result['completion_tokens']} tokens; one at a time "
          f"{rate['one_at_a_time']} tok/s, batched x{args.batch_size} {rate['batched']} tok/s: "
          f"ratio {result['ratio_batched_over_one_at_a_time']} (target >= 3); identical: "
          f"{result['identical_outputs']}; {out}")
    if not result["identical_outputs"]:
        print(f"batched answers differ from one-at-a-time ones for prompts {result['mismatched_prompts']}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
