"""Train stage, phase 2 (data): read the dataset of `josi data`, tokenize it through the chat template.

Place in the pipeline: reads `train.jsonl` and `val.jsonl` (format: docs/data.md), hands token ids
and labels to the trainer. Imports josi.core and josi.train only (tokenizer and torch-side code only
inside functions).

Nothing is ever truncated: a row longer than `max_length` is rejected and counted, and a split where
nothing fits stops the run (`DatasetError`), because a cut answer would teach a cut JSON object.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from josi.core.io import InputError, UserError, json_problem, read_jsonl
from josi.train.config import TrainConfig

ROLES = ("system", "user", "assistant")


class DatasetError(UserError, ValueError):
    """A dataset that cannot be trained on as a whole (empty, or every example too long)."""


def check_data_dir(data_dir: Path) -> None:
    if not (data_dir / "train.jsonl").is_file():
        raise InputError(data_dir / "train.jsonl", 0, "file not found: build the dataset with `josi data build` "
                                                      "or pass --data DIR (format: docs/data.md)")


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of one split, each checked against docs/data.md; problems name file:line."""
    rows = []
    for line, row in read_jsonl(path):
        messages = row.get("messages")
        if not isinstance(messages, list) or len(messages) < 3:
            raise InputError(path, line, "'messages' must be a list of at least system, user and assistant turns")
        for i, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES or not isinstance(message.get("content"), str):
                raise InputError(path, line, f"messages[{i}] needs a role in {ROLES} and a string content")
        if messages[0]["role"] != "system":
            raise InputError(path, line, "the first message must be the system message from josi.core.prompt")
        if messages[-1]["role"] != "assistant" or messages[-2]["role"] != "user":
            raise InputError(path, line, "the last two messages must be the user's question and the assistant target")
        try:
            target = json.loads(messages[-1]["content"])
        except json.JSONDecodeError as err:
            raise InputError(path, line, json_problem(err, "assistant target is not JSON")) from None
        if not isinstance(target, dict) or "intent" not in target:
            raise InputError(path, line, "assistant target must be an LLMIntent object with an intent")
        if not isinstance(row.get("meta", {}), dict):
            raise InputError(path, line, "'meta' must be an object")
        row.setdefault("meta", {}).setdefault("line", line)
        rows.append(row)
    if not rows:
        raise InputError(path, 0, "no rows: the dataset split is empty")
    return rows


def encode_example(tokenizer, messages: list[dict[str, str]]) -> dict[str, list[int]]:
    """Token ids and labels of one row, rendered only by the tokenizer's chat template.

    The prompt (system, history, user, and the `<|im_start|>assistant` header) is masked with -100;
    the completion and its closing EOS (`<|im_end|>`) are learned. The template's newline after the
    final EOS is dropped: it is not part of the answer and generation stops at EOS anyway.
    """
    prompt = tokenizer.apply_chat_template(messages[:-1], add_generation_prompt=True, tokenize=True,
                                           return_dict=True)["input_ids"]
    full = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    if full[:len(prompt)] != prompt:
        raise ValueError("the chat template renders the prompt differently alone and with the answer; "
                         "masking by prompt length would be wrong for this tokenizer")
    eos = tokenizer.eos_token_id
    end = len(full) - 1 - full[::-1].index(eos) if eos in full else -1
    if end < len(prompt) + 1:
        raise ValueError(f"the rendered completion does not end with {tokenizer.eos_token}")
    ids = full[:end + 1]
    return {"input_ids": ids, "labels": [-100] * len(prompt) + ids[len(prompt):]}


@dataclass
class SplitReport:
    rows: int = 0
    kept: int = 0
    rejected_too_long: int = 0
    rejected_ids: list[str] = field(default_factory=list)  # the first few, for the log
    longest_kept: int = 0
    tokens: int = 0  # kept tokens, all positions
    completion_tokens: int = 0  # kept tokens with a label


def encode_split(tokenizer, rows: list[dict[str, Any]], max_length: int):
    """Encode every row; rows that need more than max_length tokens are rejected and counted, never cut.

    Returns (kept rows, their encodings, report).
    """
    kept, encoded, report = [], [], SplitReport(rows=len(rows))
    for row in rows:
        example = encode_example(tokenizer, row["messages"])
        if len(example["input_ids"]) > max_length:
            report.rejected_too_long += 1
            if len(report.rejected_ids) < 10:
                meta = row.get("meta", {})
                report.rejected_ids.append(str(meta.get("id") or f"line {meta.get('line', '?')}"))
            continue
        kept.append(row)
        encoded.append(example)
        report.kept += 1
        report.longest_kept = max(report.longest_kept, len(example["input_ids"]))
        report.tokens += len(example["input_ids"])
        report.completion_tokens += sum(label != -100 for label in example["labels"])
    return kept, encoded, report


def prepare_split(tokenizer, path: Path, max_rows: int, max_length: int, seed: int):
    """Load, subset (stratified) and encode one split; raise when nothing fits in max_length."""
    from josi.train.callbacks import stratified_sample

    rows = load_rows(path)
    if max_rows and len(rows) > max_rows:
        rows = stratified_sample(rows, max_rows, seed)
    kept, encoded, report = encode_split(tokenizer, rows, max_length)
    if not encoded:
        raise DatasetError(f"{path}: all {report.rows} examples need more than max_length={max_length} tokens; "
                           "none can be trained on without truncating its answer (raise --max-length)")
    return kept, encoded, report


@dataclass
class TrainingData:
    tokenizer: Any
    train: list[dict[str, list[int]]]  # input_ids + labels, ready for the trainer
    val: list[dict[str, list[int]]]
    decode_sample: list[dict[str, Any]]  # validation rows decoded at every evaluation
    reports: dict[str, dict[str, Any]]  # split -> SplitReport as a dict (logged, and kept in the manifest)
    i6_probe: list[dict[str, Any]] = field(default_factory=list)  # validation rows whose intent alone is decoded


def prepare_data(config: TrainConfig, verbose: bool = True) -> TrainingData:
    """The base's tokenizer (pad <|endoftext|> != eos <|im_end|>), both splits checked and encoded."""
    from josi.core.models import load_tokenizer
    from josi.train.callbacks import stratified_sample

    data_dir = Path(config.data)
    tokenizer = load_tokenizer(config.checkpoint)
    if tokenizer.pad_token_id == tokenizer.eos_token_id:
        raise ValueError("pad token equals eos token: EOS would be masked out of the labels")
    _, train, train_report = prepare_split(tokenizer, data_dir / "train.jsonl", config.max_train_rows,
                                           config.max_length, config.seed)
    val_kept, val, val_report = prepare_split(tokenizer, data_dir / "val.jsonl", config.max_val_rows,
                                              config.max_length, config.seed)
    reports = {"train": asdict(train_report), "val": asdict(val_report)}
    for split, report in reports.items():
        if verbose:
            print(f"{split}: {report['kept']}/{report['rows']} examples kept, {report['rejected_too_long']} rejected "
                  f"(longer than max_length={config.max_length}, would lose part of their answer)"
                  + (f": {', '.join(report['rejected_ids'])}" if report["rejected_ids"] else ""), file=sys.stderr)
    probe = i6_probe_rows(load_rows(data_dir / "val.jsonl"), config.i6_probe_rows, config.seed) if config.i6_probe_rows else []
    return TrainingData(tokenizer, train, val, stratified_sample(val_kept, config.decode_rows, config.seed), reports, probe)


def i6_probe_rows(rows: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """Up to n validation rows for the I6 probe: half refusals, half legitimate requests (answer or clarify),
    each half stratified over tasks, so one number reads both sides of rule I6 (refused enough, not too much)."""
    from josi.core.contract.decision import LEGITIMATE
    from josi.train.callbacks import stratified_sample

    refuse = [r for r in rows if r.get("meta", {}).get("expect") == "refuse"]
    legitimate = [r for r in rows if r.get("meta", {}).get("expect") in LEGITIMATE]
    return stratified_sample(refuse, n // 2, seed) + stratified_sample(legitimate, n - n // 2, seed)
