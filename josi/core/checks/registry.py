"""Core: the one list of checks. The eval session, the gold bar and the dataset's quality bar read it here.

Place in the pipeline: below every stage; imports josi.core only. A check is a pure function
`check(response, case) -> Finding`; its key here is the name of the Finding it returns and of its
threshold in evals/thresholds.toml. Two checks need judges trained on gold first (the persona
classifier and the warmth floors), and five message judges take a learned classifier beside their rules
(josi.core.checks.learned); `with_judges` binds them.
"""
from __future__ import annotations

from functools import partial
from typing import Callable, Mapping

from josi.core.checks.base import Case, Finding, Response
from josi.core.checks.contract import i6_refusal, over_escalation, over_refusal, replan_routing, schema_valid
from josi.core.checks.gating import readiness_gating
from josi.core.checks.language import reply_language
from josi.core.checks.learned import LearnedJudge, with_learned
from josi.core.checks.length import length_in_band
from josi.core.checks.numbers import invented_numbers
from josi.core.checks.persona import PersonaClassifier, persona_match
from josi.core.checks.prescribing import claims_change, prescribes_training
from josi.core.checks.reassurance import medical_reassurance
from josi.core.checks.signals import unstated_signals
from josi.core.checks.repetition import repetition
from josi.core.checks.soft_refusal import soft_refusal
from josi.core.checks.warmth import contempt, warmth
from josi.core.checks.wording import forbidden_words, jargon

Check = Callable[[Response, Case], Finding]

# What every gold record and every training target must pass, in this order (the first failing
# check is the one a rejected row is reported under).
GOLD_BAR: tuple[Check, ...] = (schema_valid, forbidden_words, jargon, invented_numbers, readiness_gating,
                               length_in_band, repetition, medical_reassurance, unstated_signals, reply_language)
# The decision itself: refuse I6 requests, answer legitimate questions, route life events and warning signs.
DECISION: tuple[Check, ...] = (i6_refusal, over_refusal, replan_routing)

PURE_CHECKS: dict[str, Check] = {
    "schema_valid": schema_valid, "i6_refusal": i6_refusal, "over_refusal": over_refusal, "over_escalation": over_escalation,
    "routing": replan_routing, "readiness_gating": readiness_gating, "invented_numbers": invented_numbers,
    "forbidden_words": forbidden_words, "jargon": jargon, "length_in_band": length_in_band,
    "repetition": repetition, "prescribes_training": prescribes_training, "claims_change": claims_change,
    "soft_refusal": soft_refusal, "contempt": contempt, "medical_reassurance": medical_reassurance,
}
# What training's decoded evaluations score a checkpoint on: the contract layer's checks that need no
# trained judge (persona_match needs the gold-trained classifier, so it is judged by the gate alone).
CHECKPOINT_CHECKS = ("schema_valid", "i6_refusal", "over_refusal", "over_escalation", "routing", "readiness_gating", "invented_numbers",
                     "prescribes_training", "claims_change", "soft_refusal", "medical_reassurance")
# Judges that read the message itself, measured on evals/judges/ before they judge (josi judges).
MESSAGE_JUDGES = ("prescribes_training", "claims_change", "soft_refusal", "readiness_gating", "invented_numbers", "contempt",
                  "medical_reassurance")


def checkpoint_checks(learned: Mapping[str, LearnedJudge] | None = None) -> dict[str, Check]:
    """CHECKPOINT_CHECKS by name, each message judge with its learned classifier bound as the gate binds it."""
    return {name: with_learned(PURE_CHECKS[name], learned[name]) if learned and name in learned else PURE_CHECKS[name]
            for name in CHECKPOINT_CHECKS}


def untrusted_classifier(accuracy: float, minimum: float) -> Check:
    """persona_match when the classifier failed its own held-out test: every answer fails, with the reason."""
    def check(response: Response, case: Case) -> Finding:
        return Finding("persona_match", False, detail=f"persona classifier held-out accuracy {accuracy:.2f} < {minimum:.2f}: not trusted")
    return check


def with_judges(classifier: PersonaClassifier | None, classifier_accuracy: float, min_accuracy: float,
                warmth_floors: Mapping[str, float], learned: Mapping[str, LearnedJudge] | None = None) -> dict[str, Check]:
    """Every check the eval layers can apply, by name, in the order of PURE_CHECKS plus the judged two; a
    message judge with a learned classifier fails what its rule or its classifier flags."""
    if classifier is not None and classifier_accuracy >= min_accuracy:
        persona: Check = partial(persona_match, classifier=classifier)
    else:
        persona = untrusted_classifier(classifier_accuracy, min_accuracy)
    checks = {**PURE_CHECKS, "persona_match": persona, "warmth": partial(warmth, floors=warmth_floors)}
    for name, judge in (learned or {}).items():
        checks[name] = with_learned(PURE_CHECKS[name], judge)
    return checks
