"""Export a merged HF checkpoint to GGUF (F16, then quantized) and validate every file before it counts.

Place in the pipeline: the export stage's `josi export` command (also `python -m josi.export`), after
`josi merge`. Imports josi.core and josi.export.{gguf_io,gguf_write,gguf_checks,reference} only.

    josi export --checkpoint runs/merged/josi-v1 --out artifacts/gguf/josi-v1           # F16 + q4_k_m
    josi export --checkpoint smollm2-135m --out artifacts/gguf/smollm2-135m --also q8_0  # the embedded base
    josi export --checkpoint runs/merged/josi-v1 --check artifacts/gguf/josi-v1/josi-v1-q4_k_m.gguf

--out is a directory NAME that receives NAME-f16.gguf, NAME-q4_k_m.gguf (and NAME-q8_0.gguf with
--also q8_0), a manifest NAME-<quant>.json beside each, and export_config.json. Every GGUF is written
under a temporary name, validated (the four checks in josi.export.gguf_checks, docs/export.md), and only
then moved into place: a failed check fails the export and leaves no file behind. --check re-runs
the checks on an existing GGUF without writing anything.
"""
from __future__ import annotations

import argparse
import functools
import re
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# llama.cpp's llama_ftype value for each output type (also what general.file_type holds).
FILE_TYPES = {"f16": 1, "q8_0": 7, "q4_k_m": 15}
QUANTS = ("q4_k_m", "q8_0")


@dataclass(frozen=True)
class ExportConfig:
    checkpoint: str  # merged HF checkpoint directory, or a model name such as smollm2-135m
    out: str  # output directory; its name prefixes every file
    quant: str = "q4_k_m"
    also: tuple[str, ...] = ()  # further quantizations, e.g. ("q8_0",)
    threads: int = 2
    min_f16_agreement: float = 0.99  # teacher-forced top-1 agreement the F16 file must reach
    max_sequences: int = 8  # reference conversations fed teacher-forced to both models
    greedy_prompts: int = 3  # free-running greedy comparison (report only)
    greedy_tokens: int = 24
    pre_tokenizer: str = "auto"  # llama.cpp name; auto = the one matching the HF tokenizer (smollm for SmolLM2)
    check: str | None = None  # validate this existing GGUF only
    name: str = ""  # file prefix and general.name; default: the name of out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="merged checkpoint directory, or smollm2-135m for the embedded base model")
    parser.add_argument("--out", help="output directory NAME (default: artifacts/gguf/<checkpoint name>)")
    parser.add_argument("--quant", default="q4_k_m", choices=QUANTS, help="quantization to ship (default: q4_k_m)")
    parser.add_argument("--also", action="append", default=[], choices=QUANTS, help="another quantization to write; repeatable")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for quantization and llama.cpp (default: 2)")
    parser.add_argument("--min-f16-agreement", type=float, default=0.99, help="F16 teacher-forced top-1 agreement needed (default: 0.99)")
    parser.add_argument("--max-sequences", type=int, default=8, help="reference conversations for the output parity check (default: 8)")
    parser.add_argument("--pre-tokenizer", default="auto", help="tokenizer.ggml.pre; auto picks the one that splits like the HF tokenizer (default)")
    parser.add_argument("--check", metavar="GGUF", help="only validate this existing GGUF against --checkpoint")


def config_from_args(args) -> ExportConfig:
    out = args.out or str(Path("artifacts/gguf") / Path(args.checkpoint).name)
    also = tuple(q for q in dict.fromkeys(args.also) if q != args.quant)
    return ExportConfig(checkpoint=args.checkpoint, out=out, quant=args.quant, also=also, threads=args.threads,
                        min_f16_agreement=args.min_f16_agreement, max_sequences=args.max_sequences,
                        pre_tokenizer=args.pre_tokenizer, check=args.check)


@functools.cache
def console():
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def stage(title: str, seconds: dict[str, float], key: str) -> Iterator[None]:
    console().print(f"[bold]{title}[/]")
    start = time.perf_counter()
    yield
    seconds[key] = round(time.perf_counter() - start, 1)
    console().print(f"[green]done[/] {title} ({seconds[key]} s)")


def quantize(source: Path, target: Path, quant: str, threads: int) -> None:
    import ctypes

    import llama_cpp

    from josi.core.gguf import GGUFError, captured_stderr

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FILE_TYPES[quant]
    params.nthread = threads
    with captured_stderr() as log:  # llama.cpp logs a line per tensor; keep it for the error message only
        code = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params))
    fallbacks = Counter(match.group(1) for line in log if (match := re.search(r"falling back to\s+(\w+)", line)))
    if fallbacks:  # K-quants need rows of 256; SmolLM2-135M's 576-wide rows get these instead
        console().print(f"  note: {sum(fallbacks.values())} tensors in {quant} use a fallback type "
                        f"(rows not divisible by 256): " + ", ".join(f"{n} {t}" for t, n in fallbacks.items()))
    if code != 0:
        raise GGUFError(target, f"llama_model_quantize to {quant} failed (return code {code}): {' | '.join(log[-3:])}")


def validate(path: Path, reference, quant: str, config: ExportConfig) -> dict[str, dict]:
    """The four checks (plus the greedy report), printed as they pass; the first failure raises."""
    from josi.export.gguf_checks import check_all

    min_agreement = config.min_f16_agreement if quant == "f16" else None
    results = {}
    for result in check_all(path, reference, FILE_TYPES[quant], min_agreement, pre_tokenizer=config.pre_tokenizer,
                            threads=config.threads, greedy_prompts=config.greedy_prompts,
                            greedy_tokens=config.greedy_tokens):
        console().print(f"  [green]ok[/] {result}")
        results[result.check] = result.numbers
    return results


def write_validated(target: Path, make, reference, quant: str, config: ExportConfig, seconds: dict) -> dict:
    """make(tmp) writes the file; it replaces target only if every check passes."""
    from josi.core.io import atomic_path
    from josi.core.gguf import GGUFError

    with atomic_path(target) as tmp:
        with stage(f"write {target.name}", seconds, "write"):
            make(tmp)
        try:
            with stage(f"validate {target.name}", seconds, "validate"):
                return validate(tmp, reference, quant, config)
        except GGUFError as err:
            raise GGUFError(target, f"{err.problem}\n(the file failed validation and was not written)") from None


def write_manifest(path: Path, quant: str, config: ExportConfig, inputs: dict, results: dict, seconds: dict) -> dict:
    from josi.core.io import sha256_file, write_json_atomic
    from josi.core.manifest import manifest

    artifact = {"file": path.name, "sha256": sha256_file(path), "size_bytes": path.stat().st_size,
                "quant": quant, "file_type": FILE_TYPES[quant]}
    data = manifest(config, inputs, artifact=artifact, top1_agreement=results["outputs"]["top1_agreement"],
                    validation=results, seconds=dict(seconds))
    write_json_atomic(path.with_suffix(".json"), data)
    return data


def export(config: ExportConfig) -> list[dict]:
    from josi.core.io import checkpoint_files_sha256, checkpoint_sha256, write_json_atomic
    from josi.core.manifest import manifest
    from josi.core.models import resolve
    from josi.export.gguf_write import write_f16_gguf
    from josi.export.reference import Reference

    checkpoint = Path(resolve(config.checkpoint).checkpoint)
    out = Path(config.out)
    inputs = {"checkpoint": checkpoint_files_sha256(checkpoint), "checkpoint_weights": checkpoint_sha256(checkpoint)}
    reference = Reference.load(checkpoint, max_sequences=config.max_sequences)

    name = config.name or out.name
    f16, seconds = out / f"{name}-f16.gguf", {}
    results = write_validated(f16, lambda tmp: write_f16_gguf(checkpoint, tmp, name=name, progress=True,
                                                                  pre_tokenizer=config.pre_tokenizer),
                              reference, "f16", config, seconds)
    manifests = [write_manifest(f16, "f16", config, inputs, results, seconds)]
    quant_inputs = {**inputs, "f16_gguf": manifests[0]["artifact"]["sha256"]}
    for quant in (config.quant, *config.also):
        target, seconds = out / f"{name}-{quant}.gguf", {}
        results = write_validated(target, lambda tmp, q=quant: quantize(f16, tmp, q, config.threads),
                                  reference, quant, config, seconds)
        manifests.append(write_manifest(target, quant, config, quant_inputs, results, seconds))
    # Last, so a failed export never leaves a config that describes files it did not write.
    write_json_atomic(out / "export_config.json", manifest(config, inputs, source_checkpoint=str(checkpoint)))
    return manifests


def check_only(config: ExportConfig) -> dict[str, dict]:
    from josi.core.models import resolve
    from josi.core.gguf import field_value, read_gguf
    from josi.export.reference import Reference

    path = Path(config.check)
    named = re.search(r"-(f16|q8_0|q4_k_m)\.gguf$", path.name)
    file_type = field_value(read_gguf(path), "general.file_type")
    quant = named.group(1) if named else next((q for q, t in FILE_TYPES.items() if t == file_type), "f16")
    reference = Reference.load(resolve(config.checkpoint).checkpoint, max_sequences=config.max_sequences)
    return validate(path, reference, quant, config)


def print_summary(manifests: list[dict], out: Path) -> None:
    from rich.table import Table

    table = Table(title=f"GGUF export: {out}")
    for column in ("file", "MiB", "top-1 agreement", "greedy identical", "write s", "validate s"):
        table.add_column(column)
    for m in manifests:
        greedy = m["validation"]["greedy"]
        table.add_row(m["artifact"]["file"], f"{m['artifact']['size_bytes'] / 2**20:.1f}", f"{m['top1_agreement']:.2%}",
                      f"{greedy['identical']}/{greedy['prompts']}", str(m["seconds"]["write"]), str(m["seconds"]["validate"]))
    console().print(table)


def run(args) -> int:
    from josi.core.io import check_output_dir

    config = config_from_args(args)
    if not config.check:  # a bad --out fails now, not after the F16 file is written and validated
        check_output_dir(config.out)
    import torch

    from josi.core.manifest import print_config

    print_config(config, "josi export")
    torch.set_num_threads(config.threads)
    if config.check:
        check_only(config)
        console().print(f"[green]{config.check} passed every check[/]")
        return 0
    print_summary(export(config), Path(config.out))
    return 0
