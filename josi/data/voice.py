"""Voices, not closers: can the four personas still be told apart once their markers and closers are gone?

A classifier can tell drill_sergeant from balanced by "Move." and "You've got this." alone; the data is
only teaching a voice if the rest of the message carries it too. This measure (dataset issue, item 6)
strips from every message

- every persona marker of the personas card (`persona_markers`, all four personas' lists,
  case-insensitive): a marker written as a sentence ("Move.", "Now.") where it is a whole sentence, any
  other ("Honestly", "you've got this") wherever it stands on word boundaries, and
- every sentence that is one of the banks' closing phrases (the `close`, `i6.close`, `rp.close` and
  `med.close` slots of all four persona banks, placeholders read as any words),

then retrains the gate's persona classifier (josi.core.checks.persona) on the stripped train split and
scores it on the stripped held-out gold and the stripped generated val rows. Targets: >= 0.85 on
held-out gold, >= 0.90 on generated val. A message left empty by the stripping keeps an empty text, so it
counts against the score rather than being dropped.

    josi data voice [--out artifacts/data]

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

from josi.core.checks.clauses import sentences
from josi.data.rows import target

CLOSING_SLOTS = ("close", "i6.close", "rp.close", "med.close")
TARGETS = {"heldout_gold": 0.85, "generated_val": 0.90}
PLACEHOLDER = re.compile(r"\\\{[a-z_0-9]+\\\}")


def closing_patterns(banks) -> re.Pattern:
    """One pattern matching a whole sentence that is any persona's closing phrase."""
    templates = sorted({t.strip() for bank in banks.personas.values() for slot in CLOSING_SLOTS
                        for template in bank.slots.get(slot, ()) for t in sentences(template)})
    alternatives = (PLACEHOLDER.sub(r"[^.!?]+?", re.escape(t.rstrip(".!? "))) for t in templates if t)
    return re.compile(r"^(?:" + "|".join(alternatives) + r")[.!?]*$", re.IGNORECASE)


def marker_patterns(markers: Iterable[str]) -> tuple[re.Pattern, re.Pattern]:
    """(whole-sentence markers, phrase markers): "Now." is a marker as a sentence, not in "harder now"."""
    markers = [m.strip() for m in markers if m.strip()]
    whole = sorted({m.rstrip(".!? ") for m in markers if m[-1] in ".!?"}, key=len, reverse=True)
    phrases = sorted({m for m in markers if m[-1] not in ".!?"}, key=len, reverse=True)
    return (re.compile(r"^(?:" + "|".join(map(re.escape, whole)) + r")[.!?]*$", re.IGNORECASE),
            re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b[.!?,]?", re.IGNORECASE))


def strip_voice(message: str, markers: tuple[re.Pattern, re.Pattern], closers: re.Pattern) -> str:
    whole, phrases = markers
    kept = [s for s in sentences(message) if not closers.match(s.strip()) and not whole.match(s.strip())]
    text = phrases.sub(" ", " ".join(kept))
    return re.sub(r"\s+", " ", text).strip(" ,")


def stripper():
    """strip_voice with the card's markers and the default banks' closing phrases."""
    from josi.core.facts import facts
    from josi.data.banks import default_banks

    markers = marker_patterns(m for persona in facts().personas.values() for m in persona.markers)
    closers = closing_patterns(default_banks())
    return lambda message: strip_voice(message, markers, closers)


def marker_free_scores(train: Sequence[Mapping[str, Any]], val: Sequence[Mapping[str, Any]],
                       heldout_gold: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Accuracy of a classifier trained on stripped train messages; `heldout_gold` is (message, persona)."""
    from josi.core.checks.persona import PersonaClassifier

    strip = stripper()
    messages = [strip(target(r)["message"]) for r in train]
    classifier = PersonaClassifier.train(messages, [r["meta"]["persona"] for r in train])
    generated_val = [r for r in val if r["meta"]["source"] == "generated"]
    scores = {
        "heldout_gold": classifier.accuracy([strip(m) for m, _ in heldout_gold], [p for _, p in heldout_gold]),
        "generated_val": classifier.accuracy([strip(target(r)["message"]) for r in generated_val],
                                             [r["meta"]["persona"] for r in generated_val]),
    }
    return {"scores": scores, "n": {"train": len(train), "heldout_gold": len(heldout_gold),
                                     "generated_val": len(generated_val)},
            "emptied": sum(not m for m in messages)}


def heldout_gold_messages(gold_dir) -> list[tuple[str, str]]:
    from josi.core.gold import load_gold, split_gold

    _, heldout = split_gold(load_gold(gold_dir))
    return [(r.answer["message"], r.persona) for r in heldout if r.answer.get("message")]
