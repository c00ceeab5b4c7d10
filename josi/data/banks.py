"""Phrasing banks: versioned JSON files under josi/data/banks/, and the slot-template renderer.

- `<persona>.json`: {"version", "persona", "recipes": {name: [slot spec, ...]}, "slots": {slot: [template, ...]}}
  A slot spec is `slot` (always), `slot?` (half the time), `slot?0.3` (with that probability) or
  `a|b` (one template from either slot). Slot names may contain `{placeholders}` resolved from the
  example's values ("i6.ack.{kind}").
- `users.json`: user-text templates per task and family, plus life events: each a user text with
  the replan reason that keeps its facts (same placeholders), per replan type.
- `noise.json`: casual, typo and Dutch-English rewrites of user text.

Templates use `{name}` placeholders; a template whose placeholder has no value for this example
is simply not eligible. Banks hold wording only: every fact comes from the cards via the values.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from josi.core.io import InputError, read_json

BANKS_DIR = Path(__file__).resolve().parent / "banks"
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
SPEC = re.compile(r"^([^?]+)(?:\?(\d*\.?\d*))?$")


class Unusable(Exception):
    """No eligible template for a required slot: the generator draws again."""


@dataclass(frozen=True)
class PersonaBank:
    persona: str
    version: str
    recipes: Mapping[str, tuple[str, ...]]
    slots: Mapping[str, tuple[str, ...]]
    path: Path


@dataclass(frozen=True)
class Banks:
    personas: Mapping[str, PersonaBank]
    users: Mapping[str, Mapping[str, tuple[str, ...]]]  # task -> family -> templates
    replan_events: Mapping[str, tuple[tuple[str, str], ...]]  # replan type -> (user text, reason)
    lists: Mapping[str, tuple[str, ...]]  # names, days, ...
    noise: Mapping[str, Any]
    files: Mapping[str, str]  # file name -> sha256

    def persona(self, persona: str) -> PersonaBank:
        return self.personas[persona]


def _read_json(path: Path) -> Any:
    return read_json(path)  # InputError names file:line (not UTF-8, not JSON)


def _spec_slots(spec: str) -> list[str]:
    match = SPEC.match(spec)
    if not match:
        raise ValueError(spec)
    return match.group(1).split("|")


def _check_persona_bank(path: Path, data: Any) -> PersonaBank:
    if not isinstance(data, dict) or not {"version", "persona", "recipes", "slots"} <= set(data):
        raise InputError(path, 1, "an object with version, persona, recipes and slots")
    slots = {}
    for name, templates in data["slots"].items():
        if not isinstance(templates, list) or not templates or not all(isinstance(t, str) and t.strip() for t in templates):
            raise InputError(path, 1, f"slot {name!r}: a non-empty list of non-empty strings")
        if len(set(templates)) != len(templates):
            raise InputError(path, 1, f"slot {name!r}: templates must be unique")
        slots[name] = tuple(templates)
    recipes = {}
    for name, specs in data["recipes"].items():
        for spec in specs:
            try:
                names = _spec_slots(spec)
            except ValueError:
                raise InputError(path, 1, f"recipe {name!r}: bad slot spec {spec!r}") from None
            for slot in names:
                if "{" not in slot and slot not in slots:
                    raise InputError(path, 1, f"recipe {name!r} uses slot {slot!r}, which the bank does not define")
        recipes[name] = tuple(specs)
    return PersonaBank(data["persona"], str(data["version"]), recipes, slots, path)


def load_banks(directory: Path | None = None, personas: tuple[str, ...] | None = None) -> Banks:
    import hashlib

    directory = Path(directory) if directory else BANKS_DIR
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.json"))}
    users = _read_json(directory / "users.json")
    noise = _read_json(directory / "noise.json")
    banks = {}
    for path in sorted(directory.glob("*.json")):
        if path.name in ("users.json", "noise.json"):
            continue
        bank = _check_persona_bank(path, _read_json(path))
        banks[bank.persona] = bank
    if personas:
        missing = [p for p in personas if p not in banks]
        if missing:
            raise InputError(directory, 0, f"a phrasing bank <persona>.json for {', '.join(missing)}")
    user_tasks = {task: {family: tuple(templates) for family, templates in families.items()}
                  for task, families in users["tasks"].items()}
    events = {}
    for rtype, pairs in users.get("replan_events", {}).items():
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(t, str) and t.strip() for t in pair)):
                raise InputError(directory / "users.json", 1, f"replan_events.{rtype}: [user text, reason] pairs")
            if set(PLACEHOLDER.findall(pair[0])) != set(PLACEHOLDER.findall(pair[1])):
                raise InputError(directory / "users.json", 1,
                                 f"replan_events.{rtype}: the reason must use the user text's placeholders: {pair}")
        events[rtype] = tuple(tuple(pair) for pair in pairs)
    lists = {name: tuple(values) for name, values in users.get("lists", {}).items()}
    return Banks(banks, user_tasks, events, lists, noise, files)


@lru_cache(maxsize=1)
def default_banks() -> Banks:
    return load_banks(BANKS_DIR)


def usable(template: str, values: Mapping[str, Any]) -> bool:
    return all(values.get(key) not in (None, "") for key in PLACEHOLDER.findall(template))


def render(template: str, values: Mapping[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")
# "a amber day", "a 80-minute run", "a elite athlete" -> "an ..." (not "a one-off", "a useful").
ARTICLE = re.compile(r"\b([Aa]) (?=(?:[aeiouAEIOU](?!ne\b|ne-|nce\b|ni|se|su|sa|sing|ur|tr)|8|11\b|11-|18\b|18-))")


def fix_articles(text: str) -> str:
    return ARTICLE.sub(lambda m: m.group(1) + "n ", text)


def tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = text.replace("..", ".").replace("?.", "?").replace("!.", "!")
    text = fix_articles(text)
    return SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=None)
def sentences_of(template: str) -> tuple[str, ...]:
    return tuple(part.lower() for part in SENTENCE_BREAK.split(template.strip()) if part)


def least_used(options: list[str], rng: random.Random, usage: Counter | None, owner: str) -> str:
    """A random template among the eligible ones whose most used sentence was drawn least so far.

    A plain random choice repeats the few templates of a slot that every recipe uses ("That's the
    reason." closed 75 of 4,108 rows in 2.2.1), and a short sentence such as "Ask." can sit in several
    templates; counting draws per sentence and taking the template whose busiest sentence is least
    used spreads them evenly. The counts belong to one task's stream, so the build stays seeded and
    byte-for-byte reproducible. `owner` keeps equal sentences of different banks apart."""
    if usage is None:
        return rng.choice(options)
    busiest = [max(usage[owner, s] for s in sentences_of(t)) for t in options]
    fewest = min(busiest)
    chosen = rng.choice([t for t, b in zip(options, busiest) if b == fewest])
    for sentence in sentences_of(chosen):
        usage[owner, sentence] += 1
    return chosen


def pick(templates: tuple[str, ...] | list[str], values: Mapping[str, Any], rng: random.Random,
         usage: Counter | None = None) -> str:
    options = [t for t in templates if usable(t, values)]
    if not options:
        raise Unusable("no eligible template")
    return fix_articles(render(least_used(options, rng, usage, "users"), values))


def compose(bank: PersonaBank, recipe: str, values: Mapping[str, Any], rng: random.Random,
            usage: Counter | None = None) -> str:
    """One message from a recipe: each slot spec contributes at most one rendered template, the
    least used one of the slot when `usage` counts this stream's draws."""
    if recipe not in bank.recipes:
        raise Unusable(f"{bank.persona} has no recipe {recipe}")
    parts = []
    for spec in bank.recipes[recipe]:
        match = SPEC.match(spec)
        names, prob = match.group(1), match.group(2)
        probability = 1.0 if prob is None else (float(prob) if prob else 0.5)
        if probability < 1.0 and rng.random() >= probability:
            continue
        options: list[str] = []
        for name in names.split("|"):
            name = render(name, values) if usable(name, values) else name
            options += [t for t in bank.slots.get(name, ()) if usable(t, values)]
        if not options:
            if probability >= 1.0:
                raise Unusable(f"{bank.persona}: no eligible template for {names} in {recipe}")
            continue
        parts.append(render(least_used(options, rng, usage, bank.persona), values))
    return tidy(" ".join(parts))
