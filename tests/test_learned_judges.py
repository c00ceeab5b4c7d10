"""The learned message judges (josi.core.checks.learned): fitted, thresholded and bound beside their rules."""
from __future__ import annotations

import pytest

from josi.core.checks import Case, Finding, parse_response
from josi.core.checks.learned import FALSE_FLAG_QUANTILE, LearnedJudge, with_learned
from josi.core.context import ChatContext

CONTEXT = {"persona": "balanced", "readiness": {"level": "green", "state": "recovered", "confidence": 0.8},
           "profile": {"sport": "running", "level": "intermediate", "name": None, "age": 35},
           "planned_session": {"sport": "running", "zone": "Z2", "duration_min": 50, "structure": "continuous Z2 50 min",
                               "phase": "base"}, "history": []}
CASE = Case(id="t", context=ChatContext.from_dict(CONTEXT), user="Why is today's run so easy?", expect="answer")

DODGES = [f"{opener}, so {closer}." for opener in ("Every plan is different", "Trust the process", "Best not to overthink it",
                                                   "That one is above my pay grade", "Let's just say it depends")
          for closer in ("enjoy the run", "keep smiling", "just go with it", "it will all make sense", "leave it there")]
ANSWERS = [f"Today is easy because {reason}, and {effect}." for reason in (
    "yesterday's intervals were hard", "Z2 builds the aerobic base", "your body adapts during easy days",
    "the week has two hard sessions", "easy running grows capillaries")
    for effect in ("that lets you recover", "that makes the next hard day count", "it keeps injury risk down",
                   "it trains fat use", "it strengthens your heart")]


def answer(message: str):
    return parse_response({"intent": "question", "response_type": "QuestionAnswer", "message": message,
                           "source_cards": [], "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None})


def passing_rule(response, case):
    return Finding("soft_refusal", True)


@pytest.fixture(scope="module")
def judge():
    return LearnedJudge.train("soft_refusal", DODGES + ANSWERS, [True] * len(DODGES) + [False] * len(ANSWERS))


def test_the_threshold_lets_through_all_but_the_top_percent_of_good_lines(judge):
    import numpy as np

    assert judge.trained_on == {"bad": 25, "good": 25}
    good = np.array(judge.scores(ANSWERS))
    assert (good > judge.threshold).mean() <= 1 - FALSE_FLAG_QUANTILE + 1e-9  # fitted lines score below it too


def test_a_learned_judge_fails_a_dodge_the_rule_let_through_and_passes_an_answer(judge):
    check = with_learned(passing_rule, judge)
    dodge = check(answer("Every plan is different, so just go with it and enjoy the run."), CASE)
    assert not dodge.passed and "learned soft_refusal judge" in dodge.detail
    assert check(answer("Today is easy because yesterday's intervals were hard, and that lets you recover."), CASE).passed


def test_the_rule_keeps_its_own_verdict_and_too_short_a_message_is_left_to_the_rule(judge):
    def failing_rule(response, case):
        return Finding("soft_refusal", False, detail="rule says no")

    def not_applicable(response, case):
        return Finding.skip("soft_refusal", "a refusal case")

    check = with_learned(failing_rule, judge)
    assert check(answer("Today is easy because Z2 builds the aerobic base."), CASE).detail == "rule says no"
    assert not with_learned(not_applicable, judge)(answer("Trust the process, so keep smiling."), CASE).applicable
    assert with_learned(passing_rule, judge)(answer("Trust process"), CASE).passed  # two words: no wording to read


def test_too_few_lines_to_fit_a_judge_is_refused_with_the_counts():
    with pytest.raises(ValueError, match="needs at least 5 bad and 5 good lines, got 2 bad and 25 good"):
        LearnedJudge.train("contempt", DODGES[:2] + ANSWERS, [True] * 2 + [False] * len(ANSWERS))


def test_the_fitted_judges_are_cached_and_never_see_the_heldout_round(tmp_path, monkeypatch):
    import shutil

    from josi.core.judge_set import JUDGES_DIR, learned_judges

    monkeypatch.setenv("JOSI_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "judges"
    shutil.copytree(JUDGES_DIR, copy)
    first = learned_judges(copy)
    assert len(list((tmp_path / "cache" / "learned-judges").glob("*.pkl"))) == 1
    (copy / "heldout" / "soft_refusal.jsonl").write_text("")  # the held-out round is not an input
    again = learned_judges(copy)
    assert again.keys() == first.keys() and again["soft_refusal"].threshold == first["soft_refusal"].threshold
    assert len(list((tmp_path / "cache" / "learned-judges").glob("*.pkl"))) == 1
    good = "Z2 is easy aerobic running: you can talk in full sentences, and it builds your base for the harder weeks."
    dodge = "Great question! Every athlete is different, so trust the process and let the plan do its thing."
    assert again["soft_refusal"].score(dodge) > again["soft_refusal"].threshold >= again["soft_refusal"].score(good)


def test_each_learned_judge_also_learns_the_other_judges_good_lines():
    # a terse, correct reply written as another judge's good line ("Nee. Geen intervallen vandaag, rood is rood.")
    # is a good answer for this judge too: each judge is fitted on every applicable development line labelled pass
    # that it reads (the readiness judge reads nothing on a green day)
    from josi.core.checks.learned import judged_text
    from josi.core.checks.registry import PURE_CHECKS
    from josi.core.judge_set import OWN_GOOD_LINES_ONLY, gold_items, learned_judges, load_calibration

    items = [i for i in load_calibration() if not i.heldout]
    judges = learned_judges()
    for name, judge in judges.items():
        def reads(i):
            return judged_text(name, i.response, i.case) is not None
        own_good = sum(1 for i in items if i.judge == name and not i.flag and reads(i))
        others_good = 0 if name in OWN_GOOD_LINES_ONLY else \
            sum(1 for i in items if i.judge != name and not i.flag and PURE_CHECKS[name](i.response, i.case).applicable and reads(i))
        gold = sum(1 for g in gold_items() if PURE_CHECKS[name](g.response, g.case).applicable and reads(g))
        assert judge.trained_on["good"] == own_good + others_good + gold, name
        assert judge.trained_on["bad"] == sum(1 for i in items if i.judge == name and i.flag and reads(i)), name
