"""One prompt builder: the same messages render identically through HF and through the GGUF template."""
import statistics

import pytest

from josi.core.context import sample_context
from josi.core.facts import facts
from josi.core.prompt import I6_RULE, build_messages, system_message
from tests.conftest import make_context


def test_system_message_carries_persona_readiness_session_and_the_i6_rule():
    context = make_context(persona="drill_sergeant", level="amber", zone="Z2", minutes=50)
    text = system_message(context)
    assert "Drill Sergeant" in text and "amber" in text and "Z5" in text and "50 min" in text
    assert I6_RULE in text
    assert "i6_violation" not in text  # the routing enums are taught by the data, not paid for in every prompt


def test_system_message_median_is_at_most_120_tokens(tokenizer):
    contexts = [sample_context(persona, level, zone=zone, minutes=minutes, name="Bram", age=52, goal="half marathon")
                for persona in facts().personas for level in ("green", "amber", "red")
                for zone, minutes in (("Z2", 60), ("Z4", 75), (None, 0))]
    lengths = [len(tokenizer(system_message(c), add_special_tokens=False)["input_ids"]) for c in contexts]
    assert statistics.median(lengths) <= 120, lengths


def test_messages_start_with_our_system_and_keep_history_as_turns():
    context = make_context(history=[("user", "Hi"), ("assistant", "Hello Sam.")])
    messages = build_messages(context, "Why so easy?")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[-1]["content"] == "Why so easy?"
    assert "Hello Sam." not in messages[0]["content"]  # history is never pasted into text


def gguf_template(path):
    from josi.core.gguf import chat_template

    return chat_template(path)


@pytest.mark.parametrize("history", [(), (("user", "Hoi"), ("assistant", "Hoi Sam, how can I help?"))])
def test_hf_and_gguf_templates_render_identically(embedded, tokenizer, history):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    messages = build_messages(make_context(history=history), "Waarom is vandaag zo rustig? 🙂")
    hf_text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    formatter = Jinja2ChatFormatter(template=gguf_template(embedded.gguf), eos_token=tokenizer.eos_token,
                                    bos_token=tokenizer.bos_token or "", add_generation_prompt=True)
    gguf_text = formatter(messages=messages).prompt
    assert gguf_text == hf_text
    assert "SmolLM" not in hf_text  # our system message replaces the template's default persona
