"""Model backends behind one interface: greedy chat generation with explicit, recorded settings.

- `LlamaCppBackend`: a GGUF through llama-cpp-python, optionally under the LLMIntent JSON grammar.
- `TransformersBackend`: an HF checkpoint (fp16 base or merged), greedy, batched.
- `ScriptedBackend`: canned answers, for testing the checks and the harness without a model.
All render prompts through the model's own chat template and reset state between cases. Keeping llama.cpp's
KV cache across cases (`reuse_prefix=True`) alone changed 16 of 48 greedy answers (benchmarks/prefix_reuse.py):
a shorter prefill runs other matmul shapes and this model's near-tied logits flip. `pin_prefix=True` makes
reuse exact: every prompt is prefilled in two fixed pieces, the persona's shared system prefix
(josi.core.prompt.shared_prefix) and the rest, whether or not the prefix is kept, so the rest always meets the
same KV cache through the same shapes. The gate keeps the default (one piece, fresh cache), which its committed
generations were made with.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

from josi.core.contract.schema import GENERATION_MAX_TOKENS
from josi.core.prompt import shared_prefix
from josi.core.io import UserError

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class DecodeSettings:
    max_tokens: int = GENERATION_MAX_TOKENS
    n_ctx: int = 2048
    n_threads: int = 2
    seed: int = 0
    grammar: bool = True

    def key(self) -> str:
        """What else decides a generation besides the model and the prompt: these settings, the output schema
        (the grammar is compiled from it) and the decoding libraries' versions. Asked once per case, built once."""
        return settings_key(self)


DECODING_LIBRARIES = ("llama-cpp-python", "transformers", "torch")


@functools.lru_cache(maxsize=None)
def settings_key(settings: DecodeSettings) -> str:
    from josi.core.contract.schema import llm_intent_schema
    from josi.core.manifest import library_versions

    versions = library_versions()
    schema = json.dumps(llm_intent_schema(), sort_keys=True)
    return json.dumps({**asdict(settings), "schema": schema, **{name: versions[name] for name in DECODING_LIBRARIES}},
                      sort_keys=True)


@dataclass(frozen=True)
class Generation:
    text: str
    finish_reason: str  # "stop" or "length"
    completion_tokens: int


class Backend(Protocol):
    name: str
    settings: DecodeSettings

    def identity(self) -> str: ...
    def generate(self, messages: Messages) -> Generation: ...


def grammar_gbnf(schema: dict) -> str:
    """The GBNF llama.cpp compiles from our schema; raises instead of falling back to plain JSON."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return json_schema_to_gbnf(json.dumps(schema))


class LlamaCppBackend:
    """A GGUF file checked before use: a missing, truncated or foreign file raises one GGUFError (a UserError)
    'PATH: no such file', 'PATH: not a valid GGUF (...)' or 'PATH: llama.cpp cannot load it (...)'."""

    name = "gguf"

    def __init__(self, gguf_path: str | Path, settings: DecodeSettings = DecodeSettings(), schema: dict | None = None,
                 reuse_prefix: bool = False, pin_prefix: bool = False):
        from contextlib import ExitStack

        from llama_cpp import LlamaGrammar

        from josi.core.gguf import checked_gguf, open_llama

        self.path = Path(gguf_path)
        self.settings = settings
        self.reuse_prefix = reuse_prefix
        self.pin_prefix = pin_prefix
        self.prefix_hits = 0  # prompts whose shared prefix was already in the KV cache
        self._pinned = ""
        # the header, metadata and tensor table parse (the same check as `josi export --check`), once per content
        self._sha = checked_gguf(self.path)
        self._open = ExitStack()  # open_llama's context stays entered for the backend's life; close() leaves it
        self.llm = self._open.enter_context(open_llama(self.path, n_ctx=settings.n_ctx, n_threads=settings.n_threads,
                                                       seed=settings.seed))
        self.grammar = None
        if settings.grammar:
            from josi.core.contract import llm_intent_schema

            try:
                self.gbnf = grammar_gbnf(schema or llm_intent_schema())
                self.grammar = LlamaGrammar.from_string(self.gbnf, verbose=False)
            except BaseException:  # a grammar that does not compile closes the model again
                self._open.close()
                raise
        if pin_prefix:  # create_chat_completion renders and tokenizes the prompt, then calls generate(tokens): the one
            self.llm.generate = self._generate_pinned  # place that sees the tokens before their prefill

    def close(self) -> None:
        self._open.close()

    def identity(self) -> str:
        return self._sha + ("+pinned-prefix" if self.pin_prefix else "")  # pinned prefill gives other answers

    def generate(self, messages: Messages) -> Generation:
        if self.pin_prefix:
            self._pinned = shared_prefix(messages[0]["content"]) if messages and messages[0]["role"] == "system" else ""
        elif not self.reuse_prefix:  # a fresh KV cache per case: an answer must not depend on the case before it
            self.llm.reset()
        out = self.llm.create_chat_completion(
            messages=messages, temperature=0.0, max_tokens=self.settings.max_tokens,
            seed=self.settings.seed, grammar=self.grammar,
        )
        choice = out["choices"][0]
        return Generation(choice["message"]["content"] or "", choice["finish_reason"] or "stop",
                          out["usage"]["completion_tokens"])

    def prefix_length(self, tokens: Sequence[int], prefix: str) -> int:
        """How many leading tokens spell the prompt up to the end of `prefix` (0 when it is not there)."""
        pieces = [self.llm.detokenize([token], special=True) for token in tokens]
        end = b"".join(pieces).find(prefix.encode("utf-8")) if prefix else -1
        if end < 0:
            return 0
        end += len(prefix.encode("utf-8"))
        length, count = 0, 0
        for piece in pieces:
            if length + len(piece) > end:
                break
            length, count = length + len(piece), count + 1
        return count

    def _generate_pinned(self, tokens: Sequence[int], **kwargs):
        """Llama.generate after the prompt's shared prefix is in the KV cache, evaluated as one piece from an empty
        cache (now, or by an earlier prompt with the same prefix when reuse_prefix): Llama.generate then finds
        exactly that prefix cached and evaluates the rest as one piece."""
        tokens, llm = list(tokens), self.llm
        boundary = min(self.prefix_length(tokens, self._pinned), len(tokens) - 1)
        kept = self.reuse_prefix and boundary > 0 and llm.n_tokens >= boundary and list(llm.input_ids[:boundary]) == tokens[:boundary]
        if kept:
            llm.n_tokens = boundary
            self.prefix_hits += 1
        else:
            llm.reset()
            if boundary > 0:
                llm.eval(tokens[:boundary])
        return type(llm).generate(llm, tokens, **kwargs)


class TransformersBackend:
    name = "hf"

    def __init__(self, checkpoint: str | Path, settings: DecodeSettings = DecodeSettings(grammar=False), dtype: str = "float32"):
        import torch
        from transformers import AutoModelForCausalLM

        from josi.core.models import load_tokenizer

        self.checkpoint = str(checkpoint)
        self.settings = settings
        torch.manual_seed(settings.seed)
        torch.set_num_threads(settings.n_threads)
        self.tokenizer = load_tokenizer(self.checkpoint)
        self.tokenizer.padding_side = "left"
        self.model = AutoModelForCausalLM.from_pretrained(self.checkpoint, dtype=getattr(torch, dtype)).eval()
        self._sha = None

    def identity(self) -> str:
        if self._sha is None:
            from josi.core.io import checkpoint_sha256

            self._sha = checkpoint_sha256(self.checkpoint)
        return self._sha

    def generate(self, messages: Messages) -> Generation:
        return self.generate_batch([messages])[0]

    def generate_batch(self, batch: Sequence[Messages]) -> list[Generation]:
        import torch

        prompts = [self.tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True) for m in batch]
        encoded = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            output = self.model.generate(
                **encoded, do_sample=False, max_new_tokens=self.settings.max_tokens,
                eos_token_id=self.tokenizer.eos_token_id, pad_token_id=self.tokenizer.pad_token_id,
            )
        results = []
        for row in output[:, encoded["input_ids"].shape[1]:]:
            ids = row.tolist()
            stopped = self.tokenizer.eos_token_id in ids
            if stopped:
                ids = ids[: ids.index(self.tokenizer.eos_token_id)]
            ids = [i for i in ids if i != self.tokenizer.pad_token_id]
            results.append(Generation(self.tokenizer.decode(ids, skip_special_tokens=True),
                                      "stop" if stopped else "length", len(ids)))
        return results


@dataclass
class ScriptedBackend:
    """Answers from a script keyed by the last user message (or a default), for unit tests."""

    answers: dict[str, str] = field(default_factory=dict)
    default: str = "{}"
    settings: DecodeSettings = DecodeSettings(grammar=False)
    name: str = "scripted"

    def identity(self) -> str:
        import hashlib

        return hashlib.sha256(json.dumps([self.answers, self.default], sort_keys=True).encode()).hexdigest()

    def generate(self, messages: Messages) -> Generation:
        text = self.answers.get(messages[-1]["content"], self.default)
        return Generation(text, "stop", len(text.split()))


# ---- which backend -------------------------------------------------------------------------

class BackendError(UserError):
    """The artifact asked for is not there; the message says which command makes it."""


MODEL_KINDS = ("fp16", "merged", "gguf")


def open_backend(kind: str, path: str | None = None, grammar: bool = True, threads: int = 2) -> tuple[Backend, str]:
    """The backend for one artifact kind, and the path it was loaded from.

    gguf: `path`, else the shipped GGUF when exported, else the embedded one; merged: `path` or
    artifacts/merged; fp16: the base checkpoint `path` (a model name or directory), default the embedded model.
    """
    from josi.core.models import EMBEDDED, resolve
    from josi.core.paths import MERGED_DIR, SHIPPED_GGUF

    if kind == "gguf":
        target = Path(path) if path else (SHIPPED_GGUF if SHIPPED_GGUF.exists() else resolve().gguf)
        if not target.is_file():
            raise BackendError(f"--model=gguf: no GGUF at {target}; run `josi export` or pass --model-path")
        return LlamaCppBackend(target, DecodeSettings(grammar=grammar, n_threads=threads)), str(target)
    if kind == "merged":
        target = Path(path) if path else MERGED_DIR
        if not (target / "config.json").exists():
            raise BackendError(f"--model=merged: no checkpoint at {target}; run `josi merge` or pass --model-path")
        return TransformersBackend(target, DecodeSettings(grammar=False, n_threads=threads)), str(target)
    if kind != "fp16":
        raise BackendError(f"model kind {kind!r}: use one of {', '.join(MODEL_KINDS)}")
    checkpoint = resolve(path or EMBEDDED).checkpoint
    return TransformersBackend(checkpoint, DecodeSettings(grammar=False, n_threads=threads)), checkpoint


def backend_for_model(model: str, grammar: bool = True, threads: int = 2) -> Backend:
    """`josi ask --model`: a .gguf file, a name whose weights come as GGUF (the embedded one), or an HF checkpoint.

    A bad .gguf raises GGUFError, a missing one BackendError, a missing directory or unknown name ModelNotFound.
    """
    from josi.core.models import resolve

    if model.endswith(".gguf"):
        if not Path(model).expanduser().is_file():
            raise BackendError(f"{model}: no such GGUF file; `josi export` writes one (see runbook.sh), "
                               f"or pass a model name, checkpoint directory or existing .gguf")
        return LlamaCppBackend(Path(model).expanduser(), DecodeSettings(grammar=grammar, n_threads=threads))
    resolved = resolve(model)
    if resolved.gguf is not None:
        return open_backend("gguf", str(resolved.gguf), grammar, threads)[0]
    return open_backend("fp16", resolved.checkpoint, grammar, threads)[0]
