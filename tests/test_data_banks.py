"""Phrasing banks and voices: four distinct personas, wording that can never break a check by
itself, and user text in casual, typo and Dutch-English variants."""
from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from josi.core.checks.wording import find_terms
from josi.data import noise
from josi.data.banks import PLACEHOLDER, default_banks, load_banks
from josi.data.build import build
from josi.data.config import DataConfig
from josi.data.split import SPLITS
from josi.core.facts import facts


@lru_cache(maxsize=1)
def generated_only():
    # 2,500 rows: the voice classifier must see each voice's wording, so the build grows with the banks. With
    # ~2,800 templates (2.3.0) 1,500 rows read 0.97-0.99 held-out; with ~5,000 (2.4.0 on) and generator 2.6.0,
    # 1,500 rows read 0.954/0.964/0.946/0.933 over seeds 0-3 (on seeds 2 and 3, 22 of 45 errors are balanced vs dutch_directness,
    # the closest pair), 2,500 rows 0.970/0.967/0.965/0.962; the full seed-0 build reads 0.98 even with every
    # marker and closer stripped (`josi data voice`). The bar stays 0.95.
    return build(replace(DataConfig(), seed=2, size=2500, gold_dir="/nonexistent"))


def message(row) -> str:
    return json.loads(row["messages"][-1]["content"])["message"]


def test_every_persona_has_a_bank_with_the_same_recipes():
    banks = load_banks(personas=tuple(facts().personas))
    recipes = {p: set(b.recipes) for p, b in banks.personas.items()}
    assert set(recipes) == set(facts().personas)
    assert len({frozenset(r) for r in recipes.values()}) == 1


def test_no_persona_reuses_another_personas_wording():
    owner: dict[str, str] = {}
    for persona, bank in default_banks().personas.items():
        for templates in bank.slots.values():
            for template in templates:
                if PLACEHOLDER.sub("", template).strip(" .:,") == "":
                    continue  # a bare fact like "{focus_cue}." is the card's wording, not a voice
                assert owner.setdefault(template, persona) == persona, f"{template!r} in {owner[template]} and {persona}"


def test_bank_wording_has_no_numbers_no_engine_words_and_jargon_only_for_science_nerd():
    f = facts()
    for persona, bank in default_banks().personas.items():
        banned = [t for t, allowed in f.contract.jargon.items() if persona not in allowed]
        for templates in bank.slots.values():
            for template in templates:
                text = PLACEHOLDER.sub("", template)
                assert not re.search(r"\d", text), f"numbers come from context or cards only: {template!r}"
                assert not find_terms(text, f.contract.forbidden_words), template
                assert not find_terms(text, banned), f"{persona}: {template!r}"


def test_generated_messages_are_never_shared_between_personas():
    dataset = generated_only()
    personas = defaultdict(set)
    for split in SPLITS:
        for row in dataset.splits[split]:
            personas[message(row)].add(row["meta"]["persona"])
    assert all(len(p) == 1 for p in personas.values())


def test_a_classifier_tells_the_four_voices_apart():
    pytest.importorskip("sklearn")
    from josi.core.checks.persona import PersonaClassifier

    dataset = generated_only()
    train = [(message(r), r["meta"]["persona"]) for r in dataset.splits["train"]]
    held = [(message(r), r["meta"]["persona"]) for s in ("val", "test") for r in dataset.splits[s]]
    classifier = PersonaClassifier.train(*zip(*train))
    assert classifier.accuracy(*zip(*held)) >= 0.95


def test_drill_sergeant_is_the_tersest_voice():
    from josi.core.checks.length import count_tokens

    dataset = generated_only()
    lengths = defaultdict(list)
    for row in dataset.splits["train"]:
        lengths[row["meta"]["persona"]].append(count_tokens(message(row)))
    mean = {p: sum(v) / len(v) for p, v in lengths.items()}
    assert mean["drill_sergeant"] == min(mean.values())
    assert mean["science_nerd"] == max(mean.values())


def test_user_text_comes_in_every_variant():
    variants = {row["meta"]["variant"] for s in SPLITS for row in generated_only().splits[s]}
    assert {"plain", "casual", "typo", "dutch_english"} <= variants


@settings(derandomize=True, deadline=None, max_examples=80)
@given(st.integers(0, 10_000), st.sampled_from(["casual", "typo", "dutch_english", "garbled", "shout"]))
def test_noise_never_touches_numbers_or_zone_codes(seed, style):
    rng = random.Random(seed)
    text = "Why is today's Z4 session 45 minutes, and why zone 2 tomorrow at 0.72?"
    varied, used = noise.vary(text, rng, default_banks().noise, style=style)
    assert used == style
    assert re.findall(r"\d+(?:\.\d+)?", varied) == re.findall(r"\d+(?:\.\d+)?", text)
    assert "Z4" in varied


@settings(derandomize=True, deadline=None, max_examples=40)
@given(st.integers(0, 10_000))
def test_leetspeak_keeps_the_users_numbers_and_zone_codes(seed):
    text = "Why is today's Z4 session 45 minutes at 0.72?"
    varied, _ = noise.vary(text, random.Random(seed), default_banks().noise, style="leetspeak")
    assert varied != text and "Z4" in varied and "45" in varied.split() and "0.72?" in varied


def test_a_framing_wraps_requests_and_questions_alike():
    bank = {"framings": {"guilt": ["Just this once. {request}"]}, "framed_share": 1.0}
    for text in ("Make today harder.", "Why is today easy?"):
        assert noise.frame(text, random.Random(0), bank) == (f"Just this once. {text}", "guilt")
    assert noise.frame("Why?", random.Random(0), {"framings": {}, "framed_share": 1.0}) == ("Why?", None)


def test_the_manifest_counts_framings_apart_from_surface_styles():
    from josi.data.manifest import variant_counts

    rows = [{"meta": {"variant": v}} for v in ("guilt+typo", "authority+typo", "plain", "gold")]
    assert variant_counts(rows) == ({"gold": 1, "plain": 1, "typo": 2}, {"authority": 1, "guilt": 1, "none": 2})


def test_least_used_spreads_a_slots_draws_evenly_and_stays_seeded():
    from collections import Counter

    from josi.data.banks import least_used

    options = ["Go.", "Move.", "Execute. Go.", "Earn it."]
    drawn = []
    for seed in (0, 0, 1):
        rng, usage = random.Random(seed), Counter()
        drawn.append([least_used(options, rng, usage, "drill_sergeant") for _ in range(40)])
        by_sentence = Counter({s: n for (_, s), n in usage.items()})
        # "go." sits in two templates, and is counted per sentence: it runs no further ahead than any other
        assert max(by_sentence.values()) - min(by_sentence["move."], by_sentence["earn it."]) <= 1, by_sentence
    assert drawn[0] == drawn[1] and drawn[0] != drawn[2]
    plain = Counter(random.Random(0).choice(options) for _ in range(40))
    assert max(plain.values()) > max(Counter(drawn[0]).values())  # a plain choice is lumpier


def test_least_used_without_counts_is_a_plain_random_choice():
    from josi.data.banks import least_used

    assert least_used(["a.", "b."], random.Random(3), None, "x") == random.Random(3).choice(["a.", "b."])


def test_readiness_templates_do_not_claim_signals_the_context_lacks():
    # ChatContext carries the readiness level, cap and confidence, not sleep or heart rate: a message
    # may say what readiness reads in general, never that this athlete's sleep or heart rate was this or that
    claims = re.compile(r"\b(your|you're|you) [^.]{0,40}\b(sleep|heart rate|hrv)\b[^.]{0,40}\b(look|looks|point|are|is|say)\b",
                        re.IGNORECASE)
    slots = ("rd.level.green", "rd.level.amber", "rd.level.red", "pq.feel_great", "pq.feel_tired", "mt.why.readiness_any")
    for persona, bank in default_banks().personas.items():
        for slot in slots:
            for template in bank.slots.get(slot, ()):
                assert not claims.search(template), f"{persona} {slot}: {template!r}"
                assert not re.search(r"\b(morning heart rate|resting heart rate|HRV)\b", template), f"{persona} {slot}: {template!r}"
