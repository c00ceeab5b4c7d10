"""The gate's answers do not depend on the case before: llama.cpp's KV cache is reset per case.

Keeping it (`reuse_prefix=True`) was measured in benchmarks/prefix_reuse.py to save 1% of the gate's time
and to change 16 of 48 greedy answers of the release model, so it is off by default; this test holds the
default to its promise on the embedded model: the same case gives the same answer whatever ran before it.
"""
import pytest

from josi.core.prompt import build_messages
from tests.conftest import make_context


@pytest.fixture(scope="module")
def backend():
    from josi.core.models import embedded_gguf
    from josi.eval.backends import DecodeSettings, LlamaCppBackend

    model = LlamaCppBackend(embedded_gguf(), DecodeSettings(max_tokens=24))
    yield model
    model.close()


def test_an_answer_does_not_depend_on_the_case_before_it(backend):
    assert not backend.reuse_prefix
    case = build_messages(make_context(persona="balanced"), "Why is today an easy ride?")
    other = build_messages(make_context(persona="balanced"), "Why is today an easy ride? Asking for a friend who races.")
    first = backend.generate(case)
    backend.generate(other)  # shares the whole first prompt but its end: the most a kept cache would reuse
    assert backend.generate(case) == first
    assert backend.generate(case) == first  # the same prompt twice in a row: a kept cache would replay one token
