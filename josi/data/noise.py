"""Realistic user-text variants: casual, typo and Dutch-English, driven by banks/noise.json.

Numbers and zone codes are never touched, so every number the user wrote stays in the context.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
import re
from typing import Any, Mapping

WORD = re.compile(r"[A-Za-z]{4,}")
PROTECTED = re.compile(r"^(?:[Zz]\d|[A-Z]{2,})")  # zone codes and acronyms stay intact
STYLES = ("plain", "casual", "typo", "dutch_english")


def choose_style(rng: random.Random, noise: Mapping[str, Any]) -> str:
    weights = noise.get("style_weights", {})
    return rng.choices(STYLES, weights=[weights.get(s, 1.0) for s in STYLES])[0]


def casual(text: str, rng: random.Random, noise: Mapping[str, Any]) -> str:
    for formal, short in sorted(noise.get("contractions", {}).items()):
        if rng.random() < 0.6:
            text = re.sub(rf"\b{re.escape(formal)}\b", short, text, flags=re.IGNORECASE)
    if rng.random() < 0.6:
        text = text[:1].lower() + text[1:]
    if rng.random() < 0.5:
        text = text.rstrip(".!")
    if rng.random() < 0.45:
        text = rng.choice(noise["casual_prefix"]) + text[:1].lower() + text[1:]
    if rng.random() < 0.35:
        text = text.rstrip(".") + rng.choice(noise["casual_suffix"])
    return text


def typo(text: str, rng: random.Random, noise: Mapping[str, Any]) -> str:
    words = [m for m in WORD.finditer(text) if not PROTECTED.match(m.group(0))]
    if not words:
        return casual(text, rng, noise)
    for match in sorted(rng.sample(words, k=min(len(words), rng.choice((1, 1, 2)))), key=lambda m: -m.start()):
        word = match.group(0)
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(("swap", "drop", "double"))
        if kind == "swap":
            new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif kind == "drop":
            new = word[:i] + word[i + 1:]
        else:
            new = word[:i] + word[i] + word[i:]
        text = text[: match.start()] + new + text[match.end():]
    return text


def dutch_english(text: str, rng: random.Random, noise: Mapping[str, Any]) -> str:
    swaps = sorted(noise.get("dutch_words", {}).items())
    rng.shuffle(swaps)
    done = 0
    for english, dutch in swaps:
        pattern = re.compile(rf"\b{re.escape(english)}\b", re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(dutch, text, count=1)
            done += 1
            if done == 2:
                break
    if rng.random() < 0.55 or not done:
        text = rng.choice(noise["dutch_prefix"]) + text[:1].lower() + text[1:]
    if rng.random() < 0.4:
        text = text.rstrip(".?!") + rng.choice(noise["dutch_suffix"])
    return text


def vary(text: str, rng: random.Random, noise: Mapping[str, Any], style: str | None = None) -> tuple[str, str]:
    style = style or choose_style(rng, noise)
    if style == "casual":
        text = casual(text, rng, noise)
    elif style == "typo":
        text = typo(text, rng, noise)
    elif style == "dutch_english":
        text = dutch_english(text, rng, noise)
    return re.sub(r"\s+", " ", text).strip(), style
