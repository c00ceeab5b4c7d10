"""`josi release`: the shipped Josi GGUF, rebuilt byte for byte from the committed adapter.

Place in the pipeline: the export stage's last command. `pack` runs once, after `josi train`, to turn a
run into the committed `release/`; `build` runs anywhere (a fresh clone, CI) to get the shipped GGUF
back from the embedded base + that adapter. Imports josi.core and josi.export only.

    josi release build                      # artifacts/release/josi-q4_k_m.gguf, sha256-checked
    josi release pack runs/release-135m     # release/ from a finished run, with the sha256 to check

`release/` holds `adapter/` (the LoRA adapter in fp16 safetensors and the tokenizer training used),
`training/` (the run's config, manifest, metrics, summary and loss curve), `reports/` (the gate's
reports) and `manifest.json`: the base model and its weights' hash, the adapter's hash, the merged
weights' hash and each GGUF's hash.

`build` writes the GGUFs without re-running the export's validation: a file whose sha256 equals the
manifest's is byte for byte the file `pack` validated (josi.export.gguf_checks). Any other file is
deleted and the build fails, naming the first stage whose hash differs.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from josi.core.command import main_for
from josi.core.io import InputError, UserError
from josi.core.paths import RELEASE_DIR, SHIPPED_GGUF
from josi.core.paths import RELEASE_OUT as OUT_DIR

NAME, QUANT = SHIPPED_GGUF.stem.rsplit("-", 1)  # every GGUF is NAME-<quant>.gguf (general.name NAME); QUANT ships
RUN_FILES = ("config.json", "manifest.json", "metrics.jsonl", "summary.json", "loss_curve.png")


class ReleaseMismatch(UserError):
    """A rebuilt artifact whose hash differs from the one the release recorded."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = sub.add_parser("build", help="rebuild the shipped GGUF from the committed adapter and check its sha256")
    pack = sub.add_parser("pack", help="turn a finished josi train run into release/ (and build and record its GGUFs)")
    pack.add_argument("run", type=Path, help="run directory of josi train (with adapter/ and summary.json)")
    for command in (build, pack):
        command.add_argument("--release", type=Path, default=RELEASE_DIR, help="release directory (default: release/)")
        command.add_argument("--out", type=Path, default=OUT_DIR, help="where the GGUFs go (default: artifacts/release/)")
        command.add_argument("--threads", type=int, default=2, help="CPU threads (default: 2); the bytes do not depend on it")
    build.add_argument("--force", action="store_true", help="rebuild even when the GGUF on disk already matches")


def shipped_gguf(out: Path = OUT_DIR) -> Path:
    return out / f"{NAME}-{QUANT}.gguf"


def read_manifest(release: Path) -> dict:
    from josi.core.io import read_json

    path = release / "manifest.json"
    if not path.is_file():
        raise InputError(path, 0, "no release manifest: no release is committed here "
                                  "(josi release pack RUN makes one from a finished josi train run)")
    data = read_json(path)
    for key in ("base", "base_sha256", "adapter_sha256", "merged_sha256", "gguf"):
        if key not in data:
            raise InputError(path, 0, f"missing key {key!r}; re-run josi release pack")
    return data


def merge(adapter: Path, base: str, target: Path) -> None:
    from josi.export import merge as merge_stage

    merge_stage.run(argparse.Namespace(adapter=adapter, out=target, base=base, dtype="float32", tolerance=None))


def expect_hash(what: str, path: Path, found: str, wanted: str, hint: str) -> None:
    if found != wanted:
        raise ReleaseMismatch(f"{path}: {what} sha256 {found[:16]}... differs from the release's {wanted[:16]}...; {hint}")


def write_gguf(merged: Path, quant: str, target: Path, f16: Path, threads: int) -> None:
    from josi.export.cli import quantize
    from josi.export.gguf_write import write_f16_gguf

    if quant == "f16":
        write_f16_gguf(merged, target, name=NAME, progress=True)
    else:
        quantize(f16, target, quant, threads)


def build(release: Path, out: Path, threads: int, force: bool = False) -> Path:
    """artifacts/release/josi-q4_k_m.gguf (and its F16), each file's sha256 checked against the release."""
    from josi.core.io import atomic_path, checkpoint_sha256, sha256_file
    from josi.core.runtime import resolve_base

    manifest = read_manifest(release)
    adapter = release / "adapter"
    adapter_file = adapter / "adapter_model.safetensors"
    if not adapter_file.is_file():
        raise InputError(adapter_file, 0, "the release adapter is missing (git lfs or a partial checkout?)")
    expect_hash("adapter", adapter_file, sha256_file(adapter_file), manifest["adapter_sha256"],
                "the committed adapter changed without josi release pack")
    target = shipped_gguf(out)
    if not force and target.is_file() and sha256_file(target) == manifest["gguf"][QUANT]:
        print(f"{target} is the release (sha256 {manifest['gguf'][QUANT][:16]}...); nothing to do", file=sys.stderr)
        return target
    started = time.perf_counter()
    base = resolve_base(manifest["base"])
    expect_hash("base model weights", Path(base), checkpoint_sha256(base), manifest["base_sha256"],
                f"the base {manifest['base']} is not the one the release was trained on")
    merged = out / "merged"
    merge(adapter, manifest["base"], merged)
    expect_hash("merged weights", merged, checkpoint_sha256(merged), manifest["merged_sha256"],
                "merging gave other weights (torch/peft version? see release/manifest.json libraries)")
    f16 = out / f"{NAME}-f16.gguf"
    for quant in ("f16", QUANT):
        path = out / f"{NAME}-{quant}.gguf"
        with atomic_path(path) as tmp:  # a file that fails its hash never takes the shipped name
            write_gguf(merged, quant, tmp, f16, threads)
            expect_hash(f"{quant} GGUF", path, sha256_file(tmp), manifest["gguf"][quant],
                        "the export wrote other bytes (gguf/llama-cpp-python version? see release/manifest.json)")
        print(f"{path}: sha256 matches the release", file=sys.stderr)
    print(f"release rebuilt in {time.perf_counter() - started:.0f} s: {target}", file=sys.stderr)
    return target


def fp16_adapter(source: Path, target: Path) -> None:
    """The adapter's tensors rounded to fp16 (half the bytes in git); the release is built from these."""
    import torch
    from safetensors.torch import load_file, save_file

    tensors = {name: tensor.to(torch.float16).contiguous() for name, tensor in load_file(source).items()}
    save_file(tensors, target, metadata={"format": "pt"})


def pack(run: Path, release: Path, out: Path, threads: int) -> Path:
    """release/ from a finished run: fp16 adapter, the run's records, the GGUFs built, validated and hashed."""
    from josi.core.io import checkpoint_sha256, read_json, replace_dir_atomic, sha256_file, write_json_atomic
    from josi.core.manifest import manifest as make_manifest
    from josi.core.runtime import resolve_base
    from josi.export.cli import ExportConfig, export

    if not (run / "summary.json").is_file() or not (run / "adapter" / "adapter_model.safetensors").is_file():
        raise InputError(run, 0, "not a finished josi train run (needs summary.json and adapter/adapter_model.safetensors)")
    run_config = read_json(run / "config.json")

    def fill(staging: Path) -> None:
        adapter = staging / "adapter"
        shutil.copytree(run / "adapter", adapter)
        fp16_adapter(run / "adapter" / "adapter_model.safetensors", adapter / "adapter_model.safetensors")
        (staging / "training").mkdir()
        for name in RUN_FILES:
            if (run / name).is_file():
                shutil.copy2(run / name, staging / "training" / name)
        base = resolve_base(run_config["base"])
        merged = out / "merged"
        merge(adapter, run_config["base"], merged)
        exported = export(ExportConfig(checkpoint=str(merged), out=str(out), name=NAME, threads=threads))
        write_json_atomic(staging / "manifest.json", make_manifest(
            {"run": str(run), "name": NAME, "quant": QUANT}, {"run_manifest": sha256_file(run / "manifest.json")},
            base=run_config["base"], base_sha256=checkpoint_sha256(base),
            adapter_sha256=sha256_file(adapter / "adapter_model.safetensors"),
            merged_sha256=checkpoint_sha256(merged),
            gguf={m["artifact"]["quant"]: m["artifact"]["sha256"] for m in exported},
            gguf_bytes={m["artifact"]["quant"]: m["artifact"]["size_bytes"] for m in exported},
            top1_agreement={m["artifact"]["quant"]: m["top1_agreement"] for m in exported}))

    replace_dir_atomic(release, fill)
    print(f"release packed in {release}; commit it (git add {release})", file=sys.stderr)
    return release


def run(args: argparse.Namespace) -> int:
    import torch

    from josi.core.io import check_output_dir

    check_output_dir(args.out)
    torch.set_num_threads(max(1, args.threads))
    if args.action == "pack":
        check_output_dir(args.release, replaced=True)
        pack(args.run, args.release, args.out, args.threads)
    else:
        build(args.release, args.out, args.threads, force=args.force)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m josi.export.release`: the same flags and errors as `josi release`."""
    return main_for("release", sys.modules[__name__], argv)


if __name__ == "__main__":
    sys.exit(main())
