"""Layer 1: every answer parses as LLMIntent and passes josi.core.contract.validate in its context."""
import pytest

pytestmark = pytest.mark.schema


def test_schema(case, judge, thresholds):
    judge(case, thresholds.layer_checks("schema"))
