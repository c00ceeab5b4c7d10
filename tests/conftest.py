"""Shared fixtures for the unit tests: the embedded model's tokenizer and a few contexts."""
import pytest

from josi.core.context import sample_context


@pytest.fixture(scope="session")
def embedded():
    from josi.core.models import resolve

    return resolve()


@pytest.fixture(scope="session")
def tokenizer(embedded):
    from josi.core.models import load_tokenizer

    return load_tokenizer(embedded.checkpoint)


def make_context(persona="balanced", level="green", zone="Z2", minutes=50, history=()):
    state = {"green": "productive", "amber": "accumulated", "red": "overreached"}[level]
    return sample_context(persona, level, state=state, zone=zone, minutes=minutes, name="Sam", age=44, goal="marathon",
                          history=tuple(history))
