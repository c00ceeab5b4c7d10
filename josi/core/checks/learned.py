"""Learned message judges: a lexical classifier beside the phrase rules, for the judges whose bad answers
come in wording no list anticipates (soft refusals, claimed changes, contempt, medical reassurance, prescribing).

Every blind calibration round defeated most of the rules (docs/evals.md): they catch the wording they
were written against. A classifier trained on all of that wording generalises further. Word and
character TF-IDF n-grams feed a logistic regression, trained per judge on the development lines of the
calibration set (its bad answers flag, its hard good ones pass) and on every gold answer the judge
applies to (good). Its threshold is the FALSE_FLAG_QUANTILE of the good answers' cross-validated
scores: about 1% of good answers score above it, half the bar's 2%. A message fails when the rule or
the classifier flags it, so the classifier only ever adds failures, each with its score in the detail.

The numbers judge stays rules only: whether "145 bpm" is wrong depends on the context, which a bag of words
cannot see. The readiness judge reads the message with every zone marked above or within the day's cap
(josi.core.checks.cap_marks), so the day is in the words; blind rounds 11 and 12 caught 12/30 and 11/30 with
its rules alone. Prescribing took a classifier once eight rounds of
wording existed: fitted on rounds 0-7 it lifted blind round 8 from 10/30 to 17/30 caught, for 1/30 good
answers and 0/791 gold answers flagged (docs/evals.md, "Round 9"); fitted on round 4 alone it had caught 3/30.

Place in the pipeline: core, below every stage; imports only josi.core. The eval stage trains the
judges from the calibration files (josi.eval.calibration) and binds them with `with_learned`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from josi.core.checks.base import Case, Finding, Response
from josi.core.checks.cap_marks import cap_marked

LEARNED_JUDGES = ("soft_refusal", "claims_change", "contempt", "medical_reassurance", "prescribes_training", "readiness_gating")
FALSE_FLAG_QUANTILE = 0.99
FOLDS = 5
# Below this many words there is no wording to read: a message of "{" is garbage (schema and length judge it), not contempt.
MIN_WORDS = 3


def new_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    return make_pipeline(features, LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000))


@dataclass
class LearnedJudge:
    name: str
    pipeline: object
    threshold: float
    trained_on: dict[str, int]  # bad / good lines it was fitted on
    # message -> score: one sklearn call costs milliseconds of overhead whatever its size, so the gate
    # scores every cached answer in one batch (`scores` of them all) and each check then reads the memo
    known: dict[str, float] = field(default_factory=dict, repr=False)

    @classmethod
    def train(cls, name: str, messages: Sequence[str], flags: Sequence[bool],
              calibrating: Sequence[bool] | None = None) -> "LearnedJudge":
        """Fit on every line; the threshold comes from out-of-fold scores of the good lines (no line scores
        itself), so the false-flag rate it promises is the one an unseen good answer meets. `calibrating` marks
        the good lines the threshold is taken over (default: all of them)."""
        import numpy as np
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        labels = np.array(flags, dtype=bool)
        if labels.all() or not labels.any() or min(labels.sum(), (~labels).sum()) < FOLDS:
            raise ValueError(f"learned judge {name}: needs at least {FOLDS} bad and {FOLDS} good lines, "
                             f"got {int(labels.sum())} bad and {int((~labels).sum())} good")
        texts = list(messages)
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=False)
        out_of_fold = cross_val_predict(new_pipeline(), texts, labels, cv=folds, method="predict_proba")[:, 1]
        over = ~labels if calibrating is None else ~labels & np.array(calibrating, dtype=bool)
        threshold = float(np.quantile(out_of_fold[over], FALSE_FLAG_QUANTILE, method="higher"))
        pipeline = new_pipeline().fit(texts, labels)
        return cls(name, pipeline, threshold, {"bad": int(labels.sum()), "good": int((~labels).sum())})

    def scores(self, messages: Sequence[str]) -> list[float]:
        unknown = list(dict.fromkeys(m for m in messages if m not in self.known))
        if unknown:
            self.known.update(zip(unknown, (float(p) for p in self.pipeline.predict_proba(unknown)[:, 1])))
        return [self.known[m] for m in messages]

    def score(self, message: str) -> float:
        return self.scores([message])[0]


Check = Callable[[Response, Case], Finding]
# Judges that read the message together with its case; the others read the message alone.
READINGS: dict[str, Callable[[str, Case], str | None]] = {"readiness_gating": cap_marked}


def judged_text(name: str, response: Response, case: Case) -> str | None:
    """What the learned `name` judge reads of an answer; None where it has nothing to judge (a green day's cap)."""
    reading = READINGS.get(name)
    return reading(response.message, case) if reading else response.message


def with_learned(rule: Check, judge: LearnedJudge) -> Check:
    """The rule's finding, unless the rule let a message through that the classifier flags."""

    def check(response: Response, case: Case) -> Finding:
        finding = rule(response, case)
        if not finding.applicable or not finding.passed or len(response.message.split()) < MIN_WORDS:
            return finding
        text = judged_text(judge.name, response, case)
        if text is None:
            return finding
        score = judge.score(text)
        if score > judge.threshold:
            return Finding(finding.check, False, detail=f"the learned {judge.name} judge reads it as a bad answer "
                                                         f"(score {score:.2f} > {judge.threshold:.2f}): {response.message[:120]!r}")
        return finding

    check.__name__ = getattr(rule, "__name__", judge.name)
    return check
