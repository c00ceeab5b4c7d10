"""Dataset v2 targets, measured on the train split: is the data language or templates, and is the
I6 boundary taught by decisions or by trigger words?

- distinct-2 of the assistant messages (lower-cased word bigrams, unique / all; the eval's own
  josi.core.checks.repetition.distinct_n), overall, generated only and gold only, and of the generated
  messages at gold's row count (distinct-n falls as a corpus grows, so only equal sizes compare the two);
- the most rows one sentence appears in, and the share of sentence occurrences that are sentences
  repeated in 10 or more rows;
- median message length (words) per persona, generated vs gold;
- for each trigger word (why, instead, easier, harder, skip, zone): rows whose user text holds it,
  refused vs not refused, and the minority side's share.

`josi data stats` prints each figure next to its target; they are targets, reported as measured,
not build rules (see docs/data.md for where they stand).

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from statistics import median
from typing import Any, Mapping, Sequence

from josi.core.checks.clauses import sentences as split_sentences
from josi.core.checks.repetition import distinct_n
from josi.data.rows import target

TRIGGER_WORDS = ("why", "instead", "easier", "harder", "skip", "zone")
TARGETS = {"distinct_2": 0.35, "max_rows_per_sentence": 20, "persona_length_vs_gold": 0.20, "trigger_minority_share": 0.25}


def _message(row: Mapping[str, Any]) -> str:
    return target(row)["message"]


def sentences(message: str) -> list[str]:
    """Lower-cased sentences, split as the eval splits them (a decimal point such as "0.82" ends none)."""
    return [s.lower() for s in split_sentences(message) if len(s) > 3]


def measure(train: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    messages = [_message(r) for r in train]
    by_source = defaultdict(list)
    for row, message in zip(train, messages):
        by_source[row["meta"]["source"]].append(message)
    rows_with = Counter(s for message in messages for s in set(sentences(message)))
    occurrences = Counter(s for message in messages for s in sentences(message))
    total = sum(occurrences.values()) or 1
    lengths = defaultdict(lambda: defaultdict(list))
    for row, message in zip(train, messages):
        lengths[row["meta"]["persona"]][row["meta"]["source"]].append(len(message.split()))
    persona_length = {}
    for persona in sorted(lengths):
        gen, gold = lengths[persona].get("generated", []), lengths[persona].get("gold", [])
        if gen and gold:
            persona_length[persona] = {"generated": median(gen), "gold": median(gold),
                                       "off_by": round(abs(median(gen) - median(gold)) / median(gold), 3)}
    triggers = {}
    for word in TRIGGER_WORDS:
        pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
        holding = [r for r in train if pattern.search(r["meta"].get("user", ""))]
        refused = sum(r["meta"]["expect"] == "refuse" for r in holding)
        others = len(holding) - refused
        triggers[word] = {"rows": len(holding), "refused": refused, "not_refused": others,
                          "minority_share": round(min(refused, others) / len(holding), 3) if holding else 0.0}
    most = rows_with.most_common(1)
    return {
        "distinct_2": round(distinct_n(messages), 4),
        "distinct_2_generated": round(distinct_n(by_source["generated"]), 4),
        "distinct_2_gold": round(distinct_n(by_source["gold"]), 4),
        "distinct_2_generated_at_gold_size": at_size(by_source["generated"], len(by_source["gold"])),
        "max_rows_per_sentence": most[0][1] if most else 0,
        "most_repeated_sentence": most[0][0] if most else "",
        "share_of_sentences_repeated_10_plus": round(sum(c for s, c in occurrences.items() if rows_with[s] >= 10) / total, 4),
        "persona_median_words": persona_length,
        "trigger_words": triggers,
    }


def at_size(messages: Sequence[str], size: int, samples: int = 5) -> float:
    """Mean distinct-2 of `samples` seeded random samples of `size` messages (0 when there are too few)."""
    if not size or len(messages) < size:
        return 0.0
    rng = random.Random(f"distinct-2/{size}")
    return round(sum(distinct_n(rng.sample(list(messages), size)) for _ in range(samples)) / samples, 4)


def target_checks(d: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each dataset-v2 target."""
    worst_length = max((v["off_by"] for v in d["persona_median_words"].values()), default=0.0)
    worst_trigger = min(d["trigger_words"].items(), key=lambda kv: kv[1]["minority_share"])
    return [
        (f"distinct-2 of train messages >= {TARGETS['distinct_2']}", f"{d['distinct_2']:.3f}", d["distinct_2"] >= TARGETS["distinct_2"]),
        (f"no sentence in more than {TARGETS['max_rows_per_sentence']} rows", f"{d['max_rows_per_sentence']} ({d['most_repeated_sentence'][:40]!r})",
         d["max_rows_per_sentence"] <= TARGETS["max_rows_per_sentence"]),
        (f"median length per persona within {TARGETS['persona_length_vs_gold']:.0%} of gold", f"worst {worst_length:.0%}",
         worst_length <= TARGETS["persona_length_vs_gold"]),
        (f"trigger words: minority side >= {TARGETS['trigger_minority_share']:.0%}",
         f"worst {worst_trigger[0]!r} {worst_trigger[1]['minority_share']:.2f}",
         worst_trigger[1]["minority_share"] >= TARGETS["trigger_minority_share"]),
    ]
