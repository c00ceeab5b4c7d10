"""Persona classifier: tells the four voices apart from the message text alone.

Word and character TF-IDF n-grams plus a few style measures (length, sentence length,
punctuation, share of clipped sentences) feed a linear SVM (scikit-learn). It is trained on the
gold training part and measured on the held-out gold before it judges any model. Chosen by
5-fold cross-validation on the training part (docs/evals.md): 0.90 vs 0.87 for TF-IDF + logistic
regression alone.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from josi.core.checks.base import Case, Finding, Response

SENTENCE_END = re.compile(r"[.!?]+")


def style_features(texts: Sequence[str]):
    import numpy as np

    rows = []
    for text in texts:
        sentences = [s for s in SENTENCE_END.split(text) if s.strip()] or [text]
        words = text.split() or [""]
        rows.append([
            np.log1p(len(words)), len(words) / len(sentences), text.count("!"), text.count("?"), text.count(","),
            sum(map(len, words)) / len(words), sum(len(s.split()) <= 3 for s in sentences) / len(sentences),
        ])
    return np.array(rows, dtype=float)


@dataclass
class PersonaClassifier:
    pipeline: object
    # message -> predicted persona: one sklearn call costs ~5 ms of overhead whatever its size, so the gate
    # predicts every cached answer in one batch (`predict` of them all) and each check then reads its memo
    known: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def train(cls, messages: Sequence[str], personas: Sequence[str]) -> "PersonaClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.preprocessing import FunctionTransformer, StandardScaler
        from sklearn.svm import LinearSVC

        features = make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            make_pipeline(FunctionTransformer(style_features), StandardScaler()),
        )
        pipeline = make_pipeline(features, LinearSVC(C=1.0))
        pipeline.fit(list(messages), list(personas))
        return cls(pipeline)

    def predict(self, messages: Sequence[str]) -> list[str]:
        unknown = list(dict.fromkeys(m for m in messages if m not in self.known))
        if unknown:
            self.known.update(zip(unknown, (str(p) for p in self.pipeline.predict(unknown))))
        return [self.known[m] for m in messages]

    def accuracy(self, messages: Sequence[str], personas: Sequence[str]) -> float:
        predicted = self.predict(messages)
        return sum(p == t for p, t in zip(predicted, personas)) / len(personas)


def persona_match(response: Response, case: Case, classifier: PersonaClassifier) -> Finding:
    if not response.message:
        return Finding("persona_match", False, detail="no message")
    predicted = classifier.predict([response.message])[0]
    return Finding("persona_match", predicted == case.context.persona,
                   detail=f"sounds like {predicted}, asked for {case.context.persona}")
