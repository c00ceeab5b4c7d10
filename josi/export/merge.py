"""Merge a LoRA adapter from `josi train` into its base model and save a plain HF checkpoint.

Place in the pipeline: the export stage's `josi merge` command (also `python -m josi.export.merge`),
between `josi train` and `josi export`. Imports josi.core only.

    josi merge --adapter runs/NAME/adapter --out artifacts/merged

The base is found in the run's config.json (or --base, or the adapter's own config). The tokenizer
saved with the adapter (the one training used: pad `<|endoftext|>`, eos `<|im_end|>`, chat template)
is saved with the merged weights. Before the checkpoint is published, it is reloaded from disk and its
logits are compared with base+adapter on a few prompts from the shared prompt builder; the largest
absolute difference is printed and recorded in manifest.json, and a difference above --tolerance fails.
The manifest also records `checkpoint_sha256`, the merged weights' hash (josi.core.io.checkpoint_sha256),
so an export manifest or eval report that hashes this checkpoint can be matched to it.

A float32 merge is computed in float64 and rounded once: W + B·A summed in float32 can differ in the
last bit between machines and thread counts, and that bit can flip an F16 weight of the GGUF. Rounded
from float64, the saved weights (and so `josi release build`'s GGUF) are the same bytes everywhere.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from josi.core.command import main_for

CHECK_QUESTIONS = ("Why is today's session so easy?", "Make today harder, add intervals.",
                   "I had chest pain on my last run.")


@dataclass
class MergeConfig:
    adapter: str
    out: str
    base: str = ""  # filled in: what the base resolved from
    checkpoint: str = ""  # the base checkpoint directory
    dtype: str = "float32"
    tolerance: float = 1e-3  # max abs logit difference allowed between base+adapter and the saved merge


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--adapter", type=Path, required=True, help="adapter directory written by josi train (RUN_DIR/adapter)")
    parser.add_argument("--out", type=Path, required=True, help="directory for the merged checkpoint (replaced atomically)")
    parser.add_argument("--base", help="base model name or directory (default: the run's config.json, then the adapter's config)")
    parser.add_argument("--dtype", choices=["float32", "bfloat16", "float16"], default="float32",
                        help="dtype of the saved weights (default float32; the parity check runs in this dtype)")
    parser.add_argument("--tolerance", type=float, help="max abs logit difference allowed (default 1e-3 for float32, 5e-2 otherwise)")


def find_base(adapter: Path, explicit: str | None) -> str:
    """--base, else the training run's base (re-resolved, so a moved cache still works), else the adapter's."""
    if explicit:
        return explicit
    run_config = adapter.parent / "config.json"
    if run_config.is_file():
        return json.loads(run_config.read_text())["base"]
    from josi.core.io import InputError

    config = adapter / "adapter_config.json"
    base = json.loads(config.read_text()).get("base_model_name_or_path")
    if not base:
        raise InputError(config, 0, "no base_model_name_or_path; pass --base")
    return base


def check_messages() -> list[list[dict[str, str]]]:
    from josi.core.context import sample_context
    from josi.core.prompt import build_messages

    context = sample_context()  # balanced, green (recovered), continuous Z2 60 min
    return [build_messages(context, question) for question in CHECK_QUESTIONS]


def prompt_logits(model, tokenizer, conversations) -> list:
    """Last-layer logits over each rendered prompt (one forward per prompt, no padding involved)."""
    import torch

    results = []
    with torch.no_grad():
        for messages in conversations:
            ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                                return_dict=True, return_tensors="pt")["input_ids"]
            results.append(model(input_ids=ids).logits.double())
    return results


def max_abs_diff(left, right) -> float:
    return max((a - b).abs().max().item() for a, b in zip(left, right, strict=True))


def run(args: argparse.Namespace) -> int:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from josi.core.io import check_output_dir, checkpoint_sha256, replace_dir_atomic, sha256_file, write_json_atomic
    from josi.core.manifest import manifest, print_config
    from josi.core.models import load_tokenizer
    from josi.core.runtime import cpu_threads, resolve_base

    adapter = Path(args.adapter)
    if not (adapter / "adapter_config.json").is_file():
        raise FileNotFoundError(f"{adapter} is not a LoRA adapter directory (no adapter_config.json); "
                                "pass the adapter/ folder of a josi train run")
    check_output_dir(args.out, replaced=True)  # a bad --out fails now, not after loading and merging
    tolerance = args.tolerance if args.tolerance is not None else (1e-3 if args.dtype == "float32" else 5e-2)
    config = MergeConfig(adapter=str(adapter), out=str(args.out), dtype=args.dtype, tolerance=tolerance)
    config.base = find_base(adapter, args.base)
    config.checkpoint = resolve_base(config.base)
    print_config(config, "josi merge")
    torch.set_num_threads(cpu_threads())

    # The tokenizer training used travels with the adapter; the base's is the fallback for foreign adapters.
    tokenizer = load_tokenizer(str(adapter) if (adapter / "tokenizer_config.json").is_file() else config.checkpoint)
    if tokenizer.pad_token_id == tokenizer.eos_token_id:
        raise ValueError("pad token equals eos token in the adapter's tokenizer")
    dtype = getattr(torch, args.dtype)
    compute = torch.float64 if dtype == torch.float32 else dtype
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(config.checkpoint, dtype=compute), str(adapter)).eval()
    conversations = check_messages()
    reference = prompt_logits(model, tokenizer, conversations)

    merged = model.merge_and_unload().to(dtype)
    for settings in (merged.config, merged.generation_config):
        settings.pad_token_id, settings.eos_token_id = tokenizer.pad_token_id, tokenizer.eos_token_id

    out = Path(args.out)

    def fill(staging: Path) -> None:
        """Save, reload and compare inside the staging directory; raising leaves out untouched."""
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the published checkpoint is an ordinary directory
        merged.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        reloaded = AutoModelForCausalLM.from_pretrained(staging, dtype=dtype).eval()
        diff = max_abs_diff(reference, prompt_logits(reloaded, load_tokenizer(str(staging)), conversations))
        print(f"parity: max |logit(base+adapter) - logit(merged, reloaded)| = {diff:.3g} over "
              f"{len(conversations)} prompts (tolerance {tolerance:g})", file=sys.stderr)
        if diff > tolerance:
            raise RuntimeError(f"merged checkpoint differs from base+adapter by {diff:.3g} > {tolerance:g}; not saved")
        inputs = {"adapter_model.safetensors": sha256_file(adapter / "adapter_model.safetensors"),
                  "base_model": checkpoint_sha256(config.checkpoint)}
        write_json_atomic(staging / "manifest.json", manifest(config, inputs, artifact="josi merged checkpoint",
                                                              checkpoint_sha256=checkpoint_sha256(staging),
                                                              parity_max_abs_logit_diff=diff,
                                                              parity_prompts=list(CHECK_QUESTIONS)))

    replace_dir_atomic(out, fill)
    print(f"merged checkpoint in {out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m josi.export.merge`: the same flags and errors as `josi merge`."""
    return main_for("merge", sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
