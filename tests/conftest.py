"""Shared fixtures for the unit tests: the embedded model's tokenizer and a few contexts."""
import pytest

from josi.contracts import ChatContext


@pytest.fixture(scope="session")
def embedded():
    from josi.models import resolve

    return resolve()


@pytest.fixture(scope="session")
def tokenizer(embedded):
    from josi.models import load_tokenizer

    return load_tokenizer(embedded.checkpoint)


def make_context(persona="balanced", level="green", zone="Z2", minutes=50, history=()):
    state = {"green": "productive", "amber": "accumulated", "red": "overreached"}[level]
    return ChatContext.from_dict({
        "persona": persona, "readiness": {"level": level, "state": state, "confidence": 0.8},
        "profile": {"sport": "running", "level": "intermediate", "name": "Sam", "age": 44, "goal": "marathon"},
        "planned_session": None if zone is None else {
            "sport": "running", "zone": zone, "duration_min": minutes,
            "structure": f"continuous {zone} {minutes} min", "phase": "base"},
        "history": [{"role": role, "content": text} for role, text in history],
    })
