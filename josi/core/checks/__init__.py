"""Eval checks: small pure functions `check(response, case) -> Finding`.

The same functions judge model answers (evals/), gold records (`josi gold check`) and generated
training targets (`josi data build`), so the bar is identical everywhere.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from josi.core.checks.base import Case, Finding, Response, parse_response

__all__ = ["Case", "Finding", "Response", "parse_response"]
