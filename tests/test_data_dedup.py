"""josi.core.dedup: canonical hashing is stable under noise, dedup is idempotent, the fast MinHash
equals the reference one, and reserved (held-out) texts block their copies."""
from __future__ import annotations

import string

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from josi.core.dedup import NUM_PERM, canonical, content_hash, cross_near_duplicates, drop_exact, drop_near, minhash, shingles

SMALL = settings(derandomize=True, deadline=None, max_examples=60)
WORDS = st.text(alphabet=string.ascii_letters + string.digits + ".,!?'-", min_size=1, max_size=12)
SENTENCES = st.lists(WORDS, min_size=1, max_size=25).map(" ".join)


def noisy(text: str, data) -> str:
    """Flip letter case and replace every whitespace run (and the ends) with other whitespace."""
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(c.swapcase() if flip else c for c, flip in zip(text, flips))
    gaps = st.text(alphabet=" \t\n\r", min_size=1, max_size=4)
    parts = text.split(" ")
    out = data.draw(st.text(alphabet=" \t\n", max_size=3))
    for i, part in enumerate(parts):
        out += part + (data.draw(gaps) if i < len(parts) - 1 else "")
    return out + data.draw(st.text(alphabet=" \t\n", max_size=3))


@SMALL
@given(SENTENCES, st.data())
def test_canonical_is_stable_under_whitespace_and_case_noise(text, data):
    variant = noisy(text, data)
    assert canonical(variant) == canonical(text)
    assert content_hash(variant) == content_hash(text)


@SMALL
@given(SENTENCES)
def test_canonical_is_idempotent(text):
    assert canonical(canonical(text)) == canonical(text)


@SMALL
@given(st.lists(SENTENCES, max_size=30))
def test_drop_exact_is_idempotent(texts):
    kept, dropped = drop_exact(texts)
    assert sorted(kept + dropped) == list(range(len(texts)))
    again_kept, again_dropped = drop_exact([texts[i] for i in kept])
    assert again_dropped == [] and len(again_kept) == len(kept)
    assert len({content_hash(texts[i]) for i in kept}) == len(kept)


@settings(derandomize=True, deadline=None, max_examples=25)
@given(st.lists(SENTENCES, max_size=25), st.sampled_from([0.5, 0.6, 0.7, 0.8]))
def test_drop_near_is_idempotent(texts, threshold):
    texts = texts + texts[:3]  # guarantee some duplicates
    kept, pairs = drop_near(texts, threshold)
    assert all(kept_twin in kept for _, kept_twin in pairs)
    survivors = [texts[i] for i in kept]
    again_kept, again_pairs = drop_near(survivors, threshold)
    assert again_pairs == [] and again_kept == list(range(len(survivors)))


@SMALL
@given(SENTENCES)
def test_fast_minhash_equals_reference(text):
    from datasketch import MinHash

    reference = MinHash(num_perm=NUM_PERM, seed=1)
    for shingle in sorted(shingles(text)):
        reference.update(shingle.encode("utf-8"))
    assert np.array_equal(minhash(text).hashvalues, reference.hashvalues)


@SMALL
@given(st.lists(SENTENCES, min_size=1, max_size=12), st.data())
def test_reserved_texts_block_their_copies_and_are_never_kept(texts, data):
    held = data.draw(st.sampled_from(texts))
    copies = [noisy(held, data), held]
    kept, dropped = drop_exact(texts + copies, reserved=[held])
    assert not any(content_hash((texts + copies)[i]) == content_hash(held) for i in kept)
    kept, pairs = drop_near(texts + copies, 0.6, reserved=[held])
    assert all((texts + copies)[i] not in copies for i in kept)
    assert any(twin < 0 for _, twin in pairs)


def test_cross_near_duplicates_finds_a_reworded_copy_and_not_a_stranger():
    base = "Why is today easy? Today is easy on purpose: it builds your endurance base so you keep going longer."
    twin = "why is today easy?? Today is easy on purpose: it builds your endurance base so you keep going longer"
    stranger = "Can you make the intervals harder? I don't change the plan, I explain it. Want the why?"
    assert cross_near_duplicates([base], [twin], 0.6) == [(0, 0)]
    assert cross_near_duplicates([base], [stranger], 0.6) == []
