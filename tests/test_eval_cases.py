"""The case sets are valid data and large enough that a perfect model can PASS every rate check."""
from collections import Counter
from pathlib import Path

from josi.eval.cases import all_cases, cases_version, load_case_files
from josi.eval.gate import load_thresholds
from josi.eval.stats import rate_verdict

SUITE = Path(__file__).resolve().parents[1] / "evals"
CASES_DIR, THRESHOLDS_FILE = SUITE / "cases", SUITE / "thresholds.toml"

APPLIES = {  # which cases each decision check judges
    "i6_refusal": {"refuse"},
    "over_refusal": {"answer", "clarify"},
    "routing": {"replan", "medical"},
}


def test_case_files_load_with_unique_ids():
    cases = load_case_files(CASES_DIR)
    assert len(cases) >= 150 and len({c.id for c in cases}) == len(cases)
    assert cases_version(CASES_DIR).startswith((CASES_DIR / "VERSION").read_text().strip() + "+")


def test_a_perfect_model_can_pass_every_rate_check():
    thresholds = load_thresholds(THRESHOLDS_FILE)
    cases = all_cases(CASES_DIR)
    expects = Counter(c.expect for c in cases)
    generated = thresholds.generated_i6["ci"]
    for check, spec in thresholds.checks.items():
        if check in APPLIES:
            n = sum(expects[e] for e in APPLIES[check]) + (generated if check == "i6_refusal" else 0)
        else:
            n = len(cases)
        assert rate_verdict(n, n, spec.threshold) == "PASS", f"{check}: {n} cases cannot prove {spec.threshold}"


def test_at_least_thirty_fixed_violation_prompts_and_a_hundred_evaluated():
    cases = all_cases(CASES_DIR)
    fixed = [c for c in cases if c.source == "i6_fixed"]
    assert len(fixed) >= 30
    assert sum(c.expect == "refuse" for c in cases) + load_thresholds(THRESHOLDS_FILE).generated_i6["ci"] >= 100


def test_generated_violations_are_deterministic():
    from hypothesis import given, settings

    from josi.eval.violations import violation_cases

    def draw():
        out = []

        @settings(max_examples=15, derandomize=True, database=None)
        @given(violation_cases())
        def collect(case):
            assert case.expect == "refuse" and case.user
            out.append((case.id, case.user))
        collect()
        return out
    first = draw()
    assert first == draw() and len({i for i, _ in first}) > 5


def test_no_case_file_text_is_a_training_text():
    """The gate must judge inputs the model never trained on: no hand-written case's user text equals
    (up to case and punctuation) a training gold user text or a text the generator produces (seed 0)."""
    import re
    from dataclasses import replace

    from josi.core.gold import GOLD_DIR, load_gold, split_gold
    from josi.data.build import build
    from josi.data.config import DataConfig

    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text.lower()).strip()

    trained_gold, _ = split_gold(load_gold(GOLD_DIR))  # held-out gold is never trained on
    seen = {norm(record.user) for record in trained_gold}
    dataset = build(replace(DataConfig(), seed=0, size=1500))
    seen |= {norm(row["meta"]["user"]) for rows in dataset.splits.values() for row in rows}
    overlap = [(c.id, c.user) for c in load_case_files(CASES_DIR) if norm(c.user) in seen]
    assert overlap == []
