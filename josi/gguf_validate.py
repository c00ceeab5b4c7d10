"""Checks that a GGUF behaves like the checkpoint it was exported from. Each returns a CheckResult
with its numbers, or raises GGUFError naming the file.

1. check_metadata: architecture, file type, tensor count and shapes, bos/eos/pad ids, the chat
   template byte-identical to the training tokenizer's, and the pre-tokenizer set.
2. check_tokenizer: the HF tokenizer and the GGUF's tokenizer give identical ids on a fixed corpus
   (coaching sentences with unicode, emoji, Dutch and numbers, plus gold messages when present).
3. check_prompts: chat prompts rendered by HF `apply_chat_template` and by llama-cpp-python from the
   GGUF's own template (Jinja2ChatFormatter) tokenize identically.
4. check_outputs: teacher-forced, both models read the same prompt + reference answer; their top-1
   next token must agree at every answer position (>= min_agreement). `greedy_agreement` adds a
   report-only free-running comparison.
"""
from __future__ import annotations

import json
import logging
import os
import struct
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

GOLD_DIR = Path(__file__).resolve().parent.parent / "gold"
Messages = list[dict[str, str]]

PARITY_TEXTS = (
    "Why is today's session so easy?",
    "I ran 21.1 km in 1:45:30 yesterday, avg HR 152 bpm, cadence 176 spm.",
    "Zone 2 = 60–70% of max HR; 5x400m @ 3:45/km with 90s rest (R).",
    "Numbers: 0 7 42 100 1000 2025 3.14159 -12 +5 1e6 0x1F 1,000,000 ½ ² 10k 5K 42.195",
    "Ik heb vandaag geen zin om te trainen. Mag ik de intervallen overslaan?",
    "Mijn knie doet pijn na 12 km. Één vraag: moet ik stoppen? Ça va, naïve coöperatie, Zürich, señor.",
    "🚴‍♀️🏃‍♂️💪🔥 let's gooo!!! 😅 👍🏽",
    "  leading and trailing spaces   ",
    "tabs\tand\nnewlines\n\n\nand\r\nCRLF",
    "I'm gonna do it; you'll see. We've done it, they'd say. IT'S LOUD",
    "中文 日本語 한국어 العربية русский ελληνικά",
    "...?!... --- *** ((nested)) [brackets] {braces} <angles> a/b\\c `code` ~tilde~ ^caret^ |pipe|",
    "<|im_start|>user\nHoi coach!<|im_end|>\n<|im_start|>assistant\n",
    '{"intent": "question", "response_type": "ExplainZone", "message": "Z2 builds your base.", '
    '"source_cards": ["zone_physiology"], "guardrail_triggered": false, "guardrail_reason": null, "replan_request": null}',
)

# Reference conversations used when there is no gold yet: (ChatContext, user text, LLMIntent answer).
BUILTIN_CASES = (
    ({"persona": "balanced", "readiness": {"level": "green", "state": "productive", "confidence": 0.82},
      "profile": {"sport": "running", "level": "intermediate", "name": "Sam", "age": 34, "goal": "half marathon"},
      "planned_session": {"sport": "running", "zone": "Z2", "duration_min": 50, "structure": "continuous Z2 50 min", "phase": "base"}},
     "What is zone 2 actually for?",
     {"intent": "question", "response_type": "ExplainZone", "source_cards": ["zone_physiology"],
      "message": "Zone 2 builds your aerobic engine: more capillaries, more mitochondria, better fat use. "
                 "Today's 50 minutes should feel easy enough to chat the whole way."}),
    ({"persona": "dutch_directness", "readiness": {"level": "amber", "state": "accumulated", "confidence": 0.7},
      "profile": {"sport": "cycling", "level": "advanced", "age": 52},
      "planned_session": {"sport": "cycling", "zone": "Z3", "duration_min": 75, "structure": "3x15 min Z3, 5 min easy", "phase": "build"}},
     "Can I make today's ride harder? I feel fine.",
     {"intent": "blocked", "response_type": "Decline", "source_cards": [], "guardrail_triggered": True,
      "guardrail_reason": "i6_violation",
      "message": "No. The plan stays as it is: your body is still carrying load. I can explain why today is 3x15 minutes in Z3."}),
    ({"persona": "drill_sergeant", "readiness": {"level": "red", "state": "illness_risk", "confidence": 0.9},
      "profile": {"sport": "running", "level": "beginner"}, "planned_session": None,
      "history": [{"role": "user", "content": "I have a sore throat."},
                  {"role": "assistant", "content": "Rest today. Tell me if it gets worse."}]},
     "It got worse and now I have a fever.",
     {"intent": "replan", "response_type": "ReadinessSummary", "source_cards": ["modifiers"],
      "message": "Fever means no training. Rest, drink, sleep. I'll ask the planner to adjust your week.",
      "replan_request": {"reason": "illness", "details": "fever"}}),
    ({"persona": "science_nerd", "readiness": {"level": "green", "state": "recovered", "confidence": 0.95},
      "profile": {"sport": "cycling", "level": "elite", "name": "Noor", "goal": "Amstel Gold"},
      "planned_session": {"sport": "cycling", "zone": "Z5", "duration_min": 90, "structure": "5x4 min Z5, 4 min easy", "phase": "peak"}},
     "Waarom 4 minuten per interval? 🤔",
     {"intent": "question", "response_type": "ExplainWorkout", "source_cards": ["energy_systems"],
      "message": "Four minutes lets VO2 climb to near its ceiling and stay there; shorter reps end before it peaks."}),
)


class GGUFError(Exception):
    """A GGUF that is unreadable or fails a check, or a checkpoint that cannot be exported."""

    def __init__(self, path: Path | str, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class CheckResult:
    check: str
    numbers: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.check}: " + ", ".join(f"{key} {value}" for key, value in self.numbers.items())


def read_gguf(path: Path | str):
    """GGUFReader, with any parse error turned into 'PATH: not a valid GGUF (...)'."""
    import gguf

    if not Path(path).is_file():
        raise GGUFError(path, "no such file")
    try:
        return gguf.GGUFReader(path)
    except (ValueError, IndexError, KeyError, OSError, UnicodeDecodeError, struct.error) as err:
        raise GGUFError(path, f"not a valid GGUF ({type(err).__name__}: {err})") from None


@contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Collect what llama.cpp logs during the block, both from C (file descriptor 2) and through
    llama-cpp-python's Python log callback (sys.stderr); the lines land in the yielded list."""
    lines: list[str] = []
    sys.stderr.flush()
    saved_fd, saved_stream = os.dup(2), sys.stderr
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        sys.stderr = stream = open(log.fileno(), "w", encoding="utf-8", errors="replace", closefd=False)
        try:
            yield lines
        finally:
            stream.close()
            sys.stderr = saved_stream
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            log.seek(0)
            lines += log.read().decode("utf-8", "replace").splitlines()


@contextmanager
def open_llama(path: Path | str, **kwargs) -> Iterator[Any]:
    """llama-cpp-python's Llama; a load failure becomes a GGUFError carrying llama.cpp's own reason."""
    from llama_cpp import Llama

    if not Path(path).is_file():
        raise GGUFError(path, "no such file")
    try:
        with captured_stderr() as log:  # verbose only into the capture: on failure it holds llama.cpp's reason
            llm = Llama(model_path=str(path), verbose=True, **kwargs)
    except ValueError as err:
        reasons = [line.strip() for line in log if "error" in line.lower()]
        raise GGUFError(path, f"llama.cpp cannot load it ({reasons[-1] if reasons else err})") from None
    llm.verbose = False
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    try:
        yield llm
    finally:
        llm.close()


def field_value(reader, key: str) -> Any:
    found = reader.fields.get(key)
    return None if found is None else found.contents()


def raw_string(reader, key: str) -> bytes | None:
    found = reader.fields.get(key)
    return None if found is None else bytes(found.parts[found.data[0]])


def expected_shapes(config) -> dict[str, tuple[int, ...]]:
    """Tensor shapes in GGUF order (input dimension first), derived from the HF config alone."""
    h, ffn, vocab = config.hidden_size, config.intermediate_size, config.vocab_size
    head_dim = getattr(config, "head_dim", None) or h // config.num_attention_heads
    q, kv = config.num_attention_heads * head_dim, config.num_key_value_heads * head_dim
    shapes = {"token_embd.weight": (h, vocab), "output_norm.weight": (h,)}
    if not config.tie_word_embeddings:
        shapes["output.weight"] = (h, vocab)
    for i in range(config.num_hidden_layers):
        shapes.update({f"blk.{i}.{name}.weight": shape for name, shape in (
            ("attn_norm", (h,)), ("attn_q", (h, q)), ("attn_k", (h, kv)), ("attn_v", (h, kv)), ("attn_output", (q, h)),
            ("ffn_norm", (h,)), ("ffn_gate", (h, ffn)), ("ffn_up", (h, ffn)), ("ffn_down", (ffn, h)))})
    return shapes


def check_metadata(path: Path | str, reference: "Reference", file_type: int, pre_tokenizer: str = "auto") -> CheckResult:
    from josi.gguf_write import pre_tokenizer_name

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


def check_tokenizer(path: Path | str, reference: "Reference") -> CheckResult:
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


def check_prompts(path: Path | str, reference: "Reference") -> CheckResult:
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


def check_outputs(path: Path | str, reference: "Reference", min_agreement: float | None, threads: int = 2) -> CheckResult:
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


def greedy_agreement(path: Path | str, reference: "Reference", prompts: int = 3, max_new_tokens: int = 24,
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


def gold_cases(gold_dir: Path = GOLD_DIR) -> list[tuple[dict, str, dict]]:
    cases = []
    for file in sorted(Path(gold_dir).glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                cases.append((record["context"], record["user"], record["answer"]))
    return cases


def conversation(context: dict, user: str, answer: dict) -> Messages:
    from josi.contracts import ChatContext, dumps_intent
    from josi.prompt import build_messages

    return build_messages(ChatContext.from_dict(context), user) + [{"role": "assistant", "content": dumps_intent(answer)}]


def answer_sequence(tokenizer, messages: Messages) -> tuple[list[int], int]:
    """Token ids of prompt + reference answer (through its end-of-turn token), and where the answer starts."""
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    ids = tokenizer(full, add_special_tokens=False)["input_ids"]
    if ids[:len(prompt_ids)] != prompt_ids:
        raise ValueError("the chat template does not render the prompt as a prefix of the full conversation")
    answer = ids[len(prompt_ids):]
    end = answer.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in answer else len(answer)
    return prompt_ids + answer[:end], len(prompt_ids)


@dataclass
class Reference:
    """What a GGUF is checked against: the checkpoint's tokenizer, config and model, and the parity corpus.
    The HF model's answers are cached, so checking F16, q4_k_m and q8_0 runs it once."""

    checkpoint: Path
    tokenizer: Any
    config: Any
    texts: list[str]  # check 2
    conversations: list[Messages]  # every prompt (check 3)
    sequences: list[Messages]  # a spread of them, teacher-forced (check 4)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, checkpoint: Path | str, gold_dir: Path = GOLD_DIR, max_sequences: int = 8) -> "Reference":
        from transformers import AutoConfig

        from josi.models import load_tokenizer

        gold = gold_cases(gold_dir)
        texts = list(PARITY_TEXTS) + [text for _, user, answer in gold for text in (user, answer.get("message") or "")]
        builtin = [conversation(*case) for case in BUILTIN_CASES]
        gold_conversations = [conversation(*case) for case in gold]
        spread = gold_conversations[::max(1, len(gold_conversations) // max_sequences)]
        return cls(Path(checkpoint), load_tokenizer(str(checkpoint)), AutoConfig.from_pretrained(checkpoint), texts,
                   builtin + gold_conversations, (builtin + spread)[:max_sequences])

    def cached(self, key: tuple, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def model(self):
        def load():
            import torch
            from transformers import AutoModelForCausalLM
            from transformers.utils import logging

            logging.disable_progress_bar()
            return AutoModelForCausalLM.from_pretrained(self.checkpoint, dtype=torch.float32).eval()

        return self.cached(("model",), load)

    def answer_sequences(self) -> list[tuple[list[int], int]]:
        return [answer_sequence(self.tokenizer, messages) for messages in self.sequences]

    def next_tokens(self, ids: list[int]):
        """The HF model's top-1 next token after every prefix of ids."""
        def compute():
            import torch

            with torch.no_grad():
                return self.model()(torch.tensor([ids])).logits[0].argmax(-1).numpy()

        return self.cached(("next", tuple(ids)), compute)

    def continuation(self, ids: list[int], max_new_tokens: int) -> list[int]:
        """The HF model's greedy continuation of ids, up to (without) the end-of-turn token."""
        def compute():
            import torch

            eos = self.tokenizer.eos_token_id
            with torch.no_grad():
                out = self.model().generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                            do_sample=False, max_new_tokens=max_new_tokens, eos_token_id=eos,
                                            pad_token_id=self.tokenizer.pad_token_id)
            tokens = out[0, len(ids):].tolist()
            return tokens[:tokens.index(eos)] if eos in tokens else tokens

        return self.cached(("greedy", tuple(ids), max_new_tokens), compute)
