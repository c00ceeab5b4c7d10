"""Prefix reuse is exact (issue #15, figure 2): with `pin_prefix`, keeping llama.cpp's KV cache across cases gives the
same answers as a fresh cache per case, because both prefill every prompt in the same two pieces (the persona's
shared system prefix, then the rest)."""
import pytest

from josi.core.prompt import build_messages, shared_prefix, system_message
from tests.conftest import make_context

PROMPTS = sorted((build_messages(make_context(persona=persona, level=level), user)
                  for persona in ("balanced", "science_nerd") for level in ("green", "red")
                  for user in ("Why is today easy?", "Can I add sprints?")), key=str)


@pytest.fixture(scope="module")
def gguf():
    from josi.core.models import embedded_gguf

    return embedded_gguf()


def answers(gguf, **options):
    from josi.eval.backends import DecodeSettings, LlamaCppBackend

    backend = LlamaCppBackend(gguf, DecodeSettings(max_tokens=16), **options)
    try:
        return [backend.generate(messages) for messages in PROMPTS], backend.prefix_hits
    finally:
        backend.close()


def test_the_shared_prefix_is_the_persona_line_and_the_i6_rule_only():
    balanced, red = system_message(make_context(persona="balanced")), system_message(make_context(persona="balanced", level="red"))
    assert shared_prefix(balanced) == shared_prefix(red) and shared_prefix(balanced).endswith("claim a change; use only the numbers here.\n")
    assert "readiness" not in shared_prefix(balanced)
    assert shared_prefix("You are a helpful assistant.") == ""  # a system message this builder did not write: no pinning


def test_prefix_reuse_gives_the_answers_of_a_fresh_cache_per_case(gguf):
    fresh, fresh_hits = answers(gguf, pin_prefix=True)
    kept, kept_hits = answers(gguf, pin_prefix=True, reuse_prefix=True)
    assert fresh_hits == 0 and kept_hits == len(PROMPTS) - 2  # every prompt but each persona's first found its prefix cached
    assert kept == fresh


def test_the_pinned_boundary_ends_exactly_after_the_shared_prefix(gguf):
    from josi.eval.backends import DecodeSettings, LlamaCppBackend

    backend = LlamaCppBackend(gguf, DecodeSettings(max_tokens=4), pin_prefix=True)
    try:
        prefix = shared_prefix(PROMPTS[0][0]["content"])
        tokens = backend.llm.tokenize(("<|im_start|>system\n" + PROMPTS[0][0]["content"]).encode(), add_bos=False, special=True)
        boundary = backend.prefix_length(tokens, prefix)
        assert backend.llm.detokenize(tokens[:boundary], special=True).decode().endswith(prefix)
        assert backend.prefix_length(tokens, "not in the prompt") == 0
    finally:
        backend.close()
