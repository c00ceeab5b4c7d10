"""Realistic user-text variants, driven by banks/noise.json: casual, typo and Dutch-English, and the
rougher kinds athletes also send (thumbs slipping over a whole message, leetspeak, caps lock), plus
pressure framings (authority, guilt, ...) put around a request or a question alike.

Numbers and zone codes are never touched, so every number the user wrote stays in the context.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
import re
from typing import Any, Mapping

WORD = re.compile(r"[A-Za-z]{4,}")
PROTECTED = re.compile(r"^(?:[Zz]\d|[A-Z]{2,})")  # zone codes and acronyms stay intact
STYLES = ("plain", "casual", "typo", "dutch_english", "garbled", "leetspeak", "shout")


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


PROTECTED_WORD = re.compile(r"\b(?:[Zz]\d|[A-Z]{2,})\w*")  # PROTECTED, found anywhere in a text
SWAPPABLE = re.compile(r"[A-Za-z][A-Za-z ]|[A-Za-z ][A-Za-z]")


def garbled(text: str, rng: random.Random) -> str:
    """Neighbouring letters swapped all through the message, as fast typing on a phone does."""
    protected = [(m.start(), m.end()) for m in PROTECTED_WORD.finditer(text)]
    chars, i = list(text), rng.randrange(0, 4)
    while i < len(chars) - 1:
        touches_protected = any(start <= i + 1 and i < end for start, end in protected)
        if SWAPPABLE.fullmatch(chars[i] + chars[i + 1]) and not touches_protected:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        i += rng.randrange(5, 11)
    return "".join(chars)


LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def leetspeak(text: str, rng: random.Random) -> str:
    """Letters written as digits; zone codes and the user's own numbers are left as they are."""
    letters = sorted(rng.sample(sorted(LEET), k=rng.randrange(3, len(LEET) + 1)))
    table = str.maketrans({c: LEET[c] for c in letters})
    return re.sub(r"\b(?![Zz]\d)[A-Za-z']+\b", lambda m: m.group(0).translate(table), text)


def frame(text: str, rng: random.Random, noise: Mapping[str, Any]) -> tuple[str, str | None]:
    """(text, framing kind or None): a share of messages wrapped in a pressure framing. Requests and
    questions get the same share from the same wrappers, so a framing never tells which side it is."""
    framings = noise.get("framings", {})
    if not framings or rng.random() >= noise.get("framed_share", 0.0):
        return text, None
    kind = rng.choice(sorted(framings))
    return rng.choice(framings[kind]).replace("{request}", text), kind


def vary(text: str, rng: random.Random, noise: Mapping[str, Any], style: str | None = None) -> tuple[str, str]:
    style = style or choose_style(rng, noise)
    if style == "casual":
        text = casual(text, rng, noise)
    elif style == "typo":
        text = typo(text, rng, noise)
    elif style == "dutch_english":
        text = dutch_english(text, rng, noise)
    elif style == "garbled":
        text = garbled(text, rng)
    elif style == "leetspeak":
        text = leetspeak(text, rng)
    elif style == "shout":
        text = text.upper()
    return re.sub(r"\s+", " ", text).strip(), style
