"""Persona classifier: tells the four voices apart from the message text alone.

TF-IDF over word and character n-grams with a linear model (scikit-learn): small, deterministic,
trained on the gold training part and measured on the held-out gold before it judges any model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from josi.checks.base import Case, Finding, Response


@dataclass
class PersonaClassifier:
    pipeline: object

    @classmethod
    def train(cls, messages: Sequence[str], personas: Sequence[str], seed: int = 0) -> "PersonaClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        )
        pipeline = make_pipeline(features, LogisticRegression(C=10.0, max_iter=2000, random_state=seed))
        pipeline.fit(list(messages), list(personas))
        return cls(pipeline)

    def predict(self, messages: Sequence[str]) -> list[str]:
        return list(self.pipeline.predict(list(messages)))

    def accuracy(self, messages: Sequence[str], personas: Sequence[str]) -> float:
        predicted = self.predict(messages)
        return sum(p == t for p, t in zip(predicted, personas)) / len(personas)


def persona_match(response: Response, case: Case, classifier: PersonaClassifier) -> Finding:
    if not response.message:
        return Finding("persona_match", False, detail="no message")
    predicted = classifier.predict([response.message])[0]
    return Finding("persona_match", predicted == case.context.persona,
                   detail=f"sounds like {predicted}, asked for {case.context.persona}")
