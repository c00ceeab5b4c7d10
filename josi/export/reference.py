"""Export stage: what a GGUF is checked against, the reference corpus and the `Reference` cache.

Place in the pipeline: josi.export, above gguf_io; read by gguf_checks and cli. Imports josi.core only
(transformers and torch lazily), never the writer or the checks.

- PARITY_TEXTS: tokenizer-parity texts (unicode, emoji, Dutch, numbers in every shape, literal
  special tokens, an LLMIntent line); gold `user` texts and answer messages are added at load.
- BUILTIN_CASES: four reference conversations (ChatContext, user text, LLMIntent answer) used with
  or without gold. Every answer passes `josi.core.contract.validate` in its context
  (tests/test_export.py), so the teacher-forced sequences are answers a trained model should give.
- Reference: the checkpoint's tokenizer, config and model, plus the corpus; the HF model's
  next-token and greedy outputs are cached, so checking F16, q4_k_m and q8_0 runs it once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from josi.core.paths import GOLD_DIR

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

# Reference conversations, checked with or without gold: (ChatContext, user text, LLMIntent answer).
# Each answer is contract-valid in its context; together they vary persona, readiness, sport and intent.
BUILTIN_CASES = (
    ({"persona": "balanced", "readiness": {"level": "green", "state": "productive", "confidence": 0.82},
      "profile": {"sport": "running", "level": "intermediate", "name": "Sam", "age": 34, "goal": "half marathon"},
      "planned_session": {"sport": "running", "zone": "Z2", "duration_min": 50, "structure": "continuous Z2 50 min", "phase": "base"}},
     "What is zone 2 actually for?",
     {"intent": "question", "response_type": "ExplainZone", "source_cards": ["zone_physiology"],
      "message": "Zone 2 builds your aerobic engine: more capillaries, more mitochondria, better fat use. "
                 "Today's 50 minutes should feel easy enough to chat the whole way.",
      "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None}),
    ({"persona": "dutch_directness", "readiness": {"level": "amber", "state": "accumulated", "confidence": 0.7},
      "profile": {"sport": "cycling", "level": "advanced", "age": 52},
      "planned_session": {"sport": "cycling", "zone": "Z3", "duration_min": 75, "structure": "3x15 min Z3, 5 min easy", "phase": "build"}},
     "Can I make today's ride harder? I feel fine.",
     {"intent": "blocked", "response_type": "Decline", "source_cards": ["josi_contract", "load_monitoring"],
      "guardrail_triggered": True, "guardrail_reason": "i6_violation", "replan_request": None,
      "message": "No. The plan stays as it is: your body is still carrying load. I can explain why today is 3x15 minutes in Z3."}),
    ({"persona": "drill_sergeant", "readiness": {"level": "red", "state": "illness_risk", "confidence": 0.9},
      "profile": {"sport": "running", "level": "beginner"}, "planned_session": None,
      "history": [{"role": "user", "content": "I have a sore throat."},
                  {"role": "assistant", "content": "Rest today. Tell me if it gets worse."}]},
     "It got worse and now I have a fever.",
     {"intent": "replan", "response_type": "ReadinessSummary", "source_cards": ["modifiers"],
      "message": "Fever means no training. Rest, drink, sleep. I'll ask the planner to adjust your week.",
      "guardrail_triggered": False, "guardrail_reason": None,
      "replan_request": {"type": "illness", "reason": "sore throat, now a fever", "readiness_at_request": "red"}}),
    ({"persona": "science_nerd", "readiness": {"level": "green", "state": "recovered", "confidence": 0.95},
      "profile": {"sport": "cycling", "level": "elite", "name": "Noor", "goal": "Amstel Gold"},
      "planned_session": {"sport": "cycling", "zone": "Z5", "duration_min": 90, "structure": "5x4 min Z5, 4 min easy", "phase": "peak"}},
     "Waarom 4 minuten per interval? 🤔",
     {"intent": "question", "response_type": "ExplainWorkout", "source_cards": ["energy_systems"],
      "message": "Four minutes lets VO2 climb to near its ceiling and stay there; shorter reps end before it peaks.",
      "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None}),
)


def gold_cases(gold_dir: Path = GOLD_DIR) -> list[tuple[dict, str, dict]]:
    cases = []
    for file in sorted(Path(gold_dir).glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                cases.append((record["context"], record["user"], record["answer"]))
    return cases


def conversation(context: dict, user: str, answer: dict) -> Messages:
    from josi.core.contract import ChatContext, dumps_intent
    from josi.core.prompt import build_messages

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

        from josi.core.models import load_tokenizer

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
