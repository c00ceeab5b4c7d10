"""Export stage: the checks that a GGUF behaves like the checkpoint it was exported from.

Place in the pipeline: josi.export, above gguf_io and reference; run by cli on every written file.
Imports josi.core and josi.export.{gguf_io,reference} only (numpy, llama_cpp lazily), never the writer:
what the writer and a check must agree on (head_dim, pre_tokenizer_name) lives in gguf_io.

Each check reads the file back and returns a CheckResult with its numbers, or raises GGUFError
naming the file:

1. check_metadata: architecture, file type, tensor count and shapes, bos/eos/pad ids, the chat
   template byte-identical to the training tokenizer's, and the pre-tokenizer set.
2. check_tokenizer: the HF tokenizer and the GGUF's tokenizer give identical ids on a fixed corpus
   (coaching sentences with unicode, emoji, Dutch and numbers, plus gold messages when present).
3. check_prompts: chat prompts rendered by HF `apply_chat_template` and by llama-cpp-python from the
   GGUF's own template (Jinja2ChatFormatter) tokenize identically.
4. check_outputs: teacher-forced, both models read the same prompt + reference answer; their top-1
   next token must agree at every answer position (>= min_agreement). `greedy_agreement` adds a
   report-only free-running comparison.

`check_all` runs them in that order (plus the greedy report); the first failure raises.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from josi.core.gguf import GGUFError, field_value, open_llama, raw_string, read_gguf
from josi.export.gguf_io import head_dim, pre_tokenizer_name
from josi.export.reference import Reference


@dataclass(frozen=True)
class CheckResult:
    check: str
    numbers: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.check}: " + ", ".join(f"{key} {value}" for key, value in self.numbers.items())


def expected_shapes(config) -> dict[str, tuple[int, ...]]:
    """Tensor shapes in GGUF order (input dimension first), derived from the HF config alone."""
    h, ffn, vocab = config.hidden_size, config.intermediate_size, config.vocab_size
    q, kv = config.num_attention_heads * head_dim(config), config.num_key_value_heads * head_dim(config)
    shapes = {"token_embd.weight": (h, vocab), "output_norm.weight": (h,)}
    if not config.tie_word_embeddings:
        shapes["output.weight"] = (h, vocab)
    for i in range(config.num_hidden_layers):
        shapes.update({f"blk.{i}.{name}.weight": shape for name, shape in (
            ("attn_norm", (h,)), ("attn_q", (h, q)), ("attn_k", (h, kv)), ("attn_v", (h, kv)), ("attn_output", (q, h)),
            ("ffn_norm", (h,)), ("ffn_gate", (h, ffn)), ("ffn_up", (h, ffn)), ("ffn_down", (ffn, h)))})
    return shapes


def check_metadata(path: Path | str, reference: Reference, file_type: int, pre_tokenizer: str = "auto") -> CheckResult:
    tokenizer, config = reference.tokenizer, reference.config
    reader = read_gguf(path)
    pre_tokenizer = pre_tokenizer_name(tokenizer) if pre_tokenizer == "auto" else pre_tokenizer
    problems: list[str] = []

    def expect(what: str, got: Any, want: Any) -> None:
        if got != want:
            problems.append(f"{what} is {got!r}, expected {want!r}")

    expect("general.architecture", field_value(reader, "general.architecture"), "llama")
    expect("general.file_type", field_value(reader, "general.file_type"), file_type)
    shapes = {t.name: tuple(int(n) for n in t.shape) for t in reader.tensors}
    wanted = expected_shapes(config)
    expect("tensor count", len(shapes), len(wanted))
    wrong = [name for name in sorted(wanted.keys() | shapes.keys()) if shapes.get(name) != wanted.get(name)]
    problems += [f"tensor {name}: shape {shapes.get(name)}, expected {wanted.get(name)}" for name in wrong[:5]]
    expect("tokenizer.ggml.model", field_value(reader, "tokenizer.ggml.model"), "gpt2")
    expect("token count", len(field_value(reader, "tokenizer.ggml.tokens") or []), config.vocab_size)
    for key, want in (("bos", tokenizer.bos_token_id), ("eos", tokenizer.eos_token_id), ("padding", tokenizer.pad_token_id)):
        expect(f"tokenizer.ggml.{key}_token_id", field_value(reader, f"tokenizer.ggml.{key}_token_id"), want)
    template, want_template = raw_string(reader, "tokenizer.chat_template"), (tokenizer.chat_template or "").encode("utf-8")
    if template != want_template:
        at = next((i for i, (a, b) in enumerate(zip(template or b"", want_template)) if a != b), min(len(template or b""), len(want_template)))
        problems.append("chat template missing" if template is None else
                        f"chat template differs from the training tokenizer's at byte {at} "
                        f"({len(template)} vs {len(want_template)} bytes)")
    pre = field_value(reader, "tokenizer.ggml.pre")
    if pre is None:
        problems.append("tokenizer.ggml.pre is missing: llama.cpp would fall back to its 'default' pre-tokenizer")
    else:
        expect("tokenizer.ggml.pre", pre, pre_tokenizer)
    if problems:
        raise GGUFError(path, "metadata check failed:\n  " + "\n  ".join(problems))
    return CheckResult("metadata", {"tensors": len(shapes), "file_type": file_type, "vocab": config.vocab_size,
                                    "bos": tokenizer.bos_token_id, "eos": tokenizer.eos_token_id, "pad": tokenizer.pad_token_id,
                                    "pre": pre, "template_bytes": len(want_template)})


def first_difference(a: list[int], b: list[int]) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at token {at}: HF {a[max(0, at - 3):at + 5]} vs GGUF {b[max(0, at - 3):at + 5]}"


def check_tokenizer(path: Path | str, reference: Reference) -> CheckResult:
    tokenizer, texts = reference.tokenizer, reference.texts
    mismatches, tokens = [], 0
    with open_llama(path, vocab_only=True) as llm:
        for text in texts:
            want = tokenizer(text, add_special_tokens=False)["input_ids"]
            got = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
            tokens += len(want)
            if got != want:
                mismatches.append(f"{text[:60]!r}: {first_difference(want, got)}")
    if mismatches:
        raise GGUFError(path, f"tokenizer parity failed on {len(mismatches)} of {len(texts)} texts:\n  " + "\n  ".join(mismatches[:5]))
    return CheckResult("tokenizer", {"texts": len(texts), "tokens": tokens})


def check_prompts(path: Path | str, reference: Reference) -> CheckResult:
    """Render each conversation's prompt (all but the final answer) both ways, as llama-cpp-python would."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    tokenizer, conversations = reference.tokenizer, reference.conversations
    mismatches, tokens = [], 0
    with open_llama(path, vocab_only=True) as llm:
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise GGUFError(path, "no tokenizer.chat_template: llama-cpp-python would fall back to the llama-2 format")
        eos, bos = (llm.detokenize([i], special=True).decode("utf-8") for i in (llm.token_eos(), llm.token_bos()))
        formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, stop_token_ids=[llm.token_eos()])
        for messages in conversations:
            prompt = messages[:-1]
            hf_text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
            want = tokenizer(hf_text, add_special_tokens=False)["input_ids"]
            rendered = formatter(messages=prompt)
            got = llm.tokenize(rendered.prompt.encode("utf-8"), add_bos=not rendered.added_special, special=True)
            tokens += len(want)
            if got != want:
                mismatches.append(f"prompt ending {prompt[-1]['content'][:40]!r}: {first_difference(want, got)}")
    if mismatches:
        raise GGUFError(path, f"prompt parity failed on {len(mismatches)} of {len(conversations)} prompts:\n  " + "\n  ".join(mismatches[:5]))
    return CheckResult("prompts", {"prompts": len(conversations), "tokens": tokens, "eos": eos})


def context_size(lengths: list[int]) -> int:
    return (max(lengths) // 256 + 1) * 256


def check_outputs(path: Path | str, reference: Reference, min_agreement: float | None, threads: int = 2) -> CheckResult:
    """Teacher-forced top-1 agreement at every answer position; min_agreement None only reports it."""
    import numpy as np

    sequences = reference.answer_sequences()
    agree = positions = 0
    with open_llama(path, n_ctx=context_size([len(ids) for ids, _ in sequences]), logits_all=True,
                    n_threads=threads, n_threads_batch=threads) as llm:
        for ids, start in sequences:
            llm.reset()
            llm.eval(ids)
            gguf_next = np.argmax(llm.scores[:len(ids)], axis=1)
            hf_next = reference.next_tokens(ids)
            agree += int((gguf_next[start - 1:-1] == hf_next[start - 1:-1]).sum())
            positions += len(ids) - start
    agreement = agree / positions
    if min_agreement is not None and agreement < min_agreement:
        raise GGUFError(path, f"output parity failed: teacher-forced top-1 agreement {agreement:.2%} over {positions} "
                              f"answer positions is below {min_agreement:.0%} (wrong Q/K permutation or weights?)")
    return CheckResult("outputs", {"sequences": len(sequences), "positions": positions, "top1_agreement": round(agreement, 4)})


def greedy_agreement(path: Path | str, reference: Reference, prompts: int = 3, max_new_tokens: int = 24,
                     threads: int = 2) -> CheckResult:
    """Free-running greedy continuations from both models (report only: one early flip changes the rest)."""
    starts = [ids[:start] for ids, start in reference.answer_sequences()[:prompts]]
    eos, identical, prefix_shares = reference.tokenizer.eos_token_id, 0, []
    with open_llama(path, n_ctx=context_size([len(p) + max_new_tokens for p in starts]),
                    n_threads=threads, n_threads_batch=threads) as llm:
        for ids in starts:
            gguf_tokens: list[int] = []
            for token in llm.generate(ids, temp=0.0, repeat_penalty=1.0, reset=True):  # temp 0: greedy sampler
                if token == eos or len(gguf_tokens) == max_new_tokens:
                    break
                gguf_tokens.append(token)
            hf_tokens = reference.continuation(ids, max_new_tokens)
            identical += hf_tokens == gguf_tokens
            common = next((i for i, (a, b) in enumerate(zip(hf_tokens, gguf_tokens)) if a != b),
                          min(len(hf_tokens), len(gguf_tokens)))
            prefix_shares.append(common / max(len(hf_tokens), len(gguf_tokens), 1))
    return CheckResult("greedy", {"prompts": len(starts), "identical": identical, "max_new_tokens": max_new_tokens,
                                  "mean_common_prefix": round(sum(prefix_shares) / len(prefix_shares), 4)})


def check_all(path: Path | str, reference: Reference, file_type: int, min_agreement: float | None, *,
              pre_tokenizer: str = "auto", threads: int = 2, greedy_prompts: int = 3,
              greedy_tokens: int = 24) -> Iterator[CheckResult]:
    """The four checks, then the greedy report, each result yielded as it passes; the first failure raises.
    min_agreement None reports the output agreement without gating it (quantized files)."""
    yield check_metadata(path, reference, file_type, pre_tokenizer)
    yield check_tokenizer(path, reference)
    yield check_prompts(path, reference)
    yield check_outputs(path, reference, min_agreement, threads)
    yield greedy_agreement(path, reference, greedy_prompts, greedy_tokens, threads)
