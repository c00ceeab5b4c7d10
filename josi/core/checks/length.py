"""Message length in SmolLM2 tokens, within the persona's band from the personas card.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response
from josi.core.facts import facts


@lru_cache(maxsize=1)
def _tokenizer():
    from tokenizers import Tokenizer

    from josi.core.models import embedded_tokenizer_file

    return Tokenizer.from_file(str(embedded_tokenizer_file()))


def count_tokens(text: str) -> int:
    return len(_tokenizer().encode(text, add_special_tokens=False).ids)


def length_in_band(response: Response, case: Case) -> Finding:
    persona = facts().personas[case.context.persona]
    tokens = count_tokens(response.message)
    ok = persona.min_message_tokens <= tokens <= persona.max_message_tokens
    return Finding("length_in_band", ok,
                   detail=f"{tokens} tokens, band {persona.min_message_tokens}-{persona.max_message_tokens}")
