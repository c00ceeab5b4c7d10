"""One eval session: a backend, its generation cache, the judges, and the collected findings.

The pytest plugin in evals/conftest.py only wires this object; it can also be driven directly.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from josi.eval.backends import Backend
from josi.core.checks import Case, Finding, Response, parse_response
from josi.core.checks.learned import READINGS, LearnedJudge
from josi.core.checks.persona import PersonaClassifier
from josi.core.checks.registry import with_judges
from josi.core.checks.repetition import distinct_n
from josi.core.checks.warmth import floors_from_gold
from josi.core.contract.decision import GUARDRAILS
from josi.eval.cache import GenerationCache
from josi.eval.gate import Thresholds, aggregate_result, check_result, paired
from josi.eval.report import CaseRecord, build_report
from josi.core.prompt import build_messages


@dataclass
class Judges:
    classifier: PersonaClassifier | None
    classifier_accuracy: float
    warmth_floors: dict[str, float]
    learned: dict[str, LearnedJudge] = field(default_factory=dict)  # message judge -> its classifier

    @classmethod
    def from_gold(cls, warmth_quantile: float) -> "Judges":
        from josi.core.gold import GOLD_DIR, gold_files, load_gold, split_gold
        from josi.core.judge_set import learned_judges

        if not gold_files(GOLD_DIR):
            return cls(None, 0.0, {})
        train, held = split_gold(load_gold())
        classifier = PersonaClassifier.train([r.answer["message"] for r in train], [r.persona for r in train])
        accuracy = classifier.accuracy([r.answer["message"] for r in held], [r.persona for r in held])
        ordinary: dict[str, list[str]] = {}
        for record in train:
            if record.expect() not in GUARDRAILS:
                ordinary.setdefault(record.persona, []).append(record.answer["message"])
        return cls(classifier, accuracy, floors_from_gold(ordinary, warmth_quantile), learned_judges())


def duration(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`: how a progress line shows elapsed time and ETA."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@dataclass
class ProgressLines:
    """Progress of a long generation run as plain lines (done/total, elapsed, ETA), one every `every`
    cases or `seconds`, and one at the end; `write` puts a line where the user sees it."""

    write: Callable[[str], None]
    what: str = "cases"
    total: int | None = None
    every: int = 10
    seconds: float = 60.0
    done: int = 0
    truncated: int = 0  # answers that hit the token limit: cheap to count, and the usual failure of a base model
    start: float = field(default_factory=time.monotonic)
    last: float = field(default_factory=time.monotonic)
    shown: int = 0  # `done` at the last line written

    def line(self, final: bool = False) -> str:
        elapsed = time.monotonic() - self.start
        text = f"josi gate: generated {self.done}" + (f"/{self.total}" if self.total else "") + f" {self.what}, {duration(elapsed)} elapsed"
        if self.total and 0 < self.done < self.total and not final:
            text += f", ETA {duration(elapsed / self.done * (self.total - self.done))}"
        if self.done:
            text += f" ({elapsed / self.done:.1f} s/case"
            text += f", {self.truncated} hit the token limit)" if self.truncated else ")"
        return text

    def advance(self, generations: Iterable) -> None:
        before = self.done
        for generation in generations:
            self.done += 1
            self.truncated += generation.finish_reason == "length"
        now = time.monotonic()
        if self.done // self.every > before // self.every or now - self.last >= self.seconds or self.done == self.total:
            self.last, self.shown = now, self.done
            self.write(self.line())

    def finish(self) -> None:
        """The closing line, when the last case was not on one (fewer cases than expected)."""
        if self.done and self.shown != self.done:
            self.shown = self.done
            self.write(self.line(final=True))


@dataclass
class EvalSession:
    backend: Backend
    model_info: dict
    thresholds: Thresholds
    judges: Judges
    cache: GenerationCache
    records: dict[str, CaseRecord] = field(default_factory=dict)
    generated: int = 0
    progress: Callable[[str], None] | None = None  # a line writer: progress lines instead of a rich bar
    later: ProgressLines | None = None  # generations after pregenerate (hypothesis cases)
    later_total: int | None = None

    def checks(self) -> dict[str, Callable[[Response, Case], Finding]]:
        j = self.judges
        return with_judges(j.classifier, j.classifier_accuracy, self.thresholds.classifier_min_accuracy, j.warmth_floors,
                           j.learned)

    def messages(self, case: Case) -> list[dict[str, str]]:
        return build_messages(case.context, case.user)

    def respond(self, case: Case) -> Response:
        messages = self.messages(case)
        key = self.cache.key(messages, self.backend.settings.key())
        generation = self.cache.get(key)
        if generation is None:
            generation = self.backend.generate(messages)
            self.cache.put(key, generation)
            self.generated += 1
            if self.progress is not None:
                if self.later is None:
                    self.later = ProgressLines(self.progress, "more cases during the tests", self.later_total)
                self.later.advance([generation])
        return parse_response(generation.text, generation.finish_reason)

    def pregenerate(self, cases: Iterable[Case], batch_size: int = 8) -> None:
        """Fill the cache up front (batched where the backend can), with progress lines (`progress`) or a rich
        bar; then let the trained judge read every answer in one batch."""
        cases = list(cases)
        keys = [(self.cache.key(messages, self.backend.settings.key()), messages)
                for messages in (self.messages(case) for case in cases)]
        self._generate([(key, messages) for key, messages in keys if key not in self.cache], len(cases), batch_size)
        self.prime_judges(key for key, _ in keys)

    def prime_judges(self, keys: Iterable[str]) -> None:
        """The persona classifier predicts the messages of these cached generations in one call (its memo then
        serves each check): ~5 ms of sklearn overhead once instead of once per case."""
        if self.judges.classifier is None:
            return
        entries = [self.cache.entries[key] for key in keys if key in self.cache]
        messages = [m for m in (parse_response(e["text"], e["finish_reason"]).message for e in entries) if m]
        self.judges.classifier.predict(messages)
        for name, judge in self.judges.learned.items():
            if name not in READINGS:  # a judge that reads the case too scores each answer with its case
                judge.scores(messages)

    def _generate(self, todo: list, total: int, batch_size: int) -> None:
        """Generate the (key, messages) pairs of `todo`, the uncached ones of `total` cases, into the cache."""
        if self.progress is not None and total:
            self.progress(f"josi gate: {total} cases, {total - len(todo)} from the cache, {len(todo)} to generate "
                          f"with {self.backend.name}")
        if not todo:
            return
        batched = getattr(self.backend, "generate_batch", None)
        step = batch_size if batched else 1
        chunks = [todo[start:start + step] for start in range(0, len(todo), step)]
        if self.progress is not None:
            lines = ProgressLines(self.progress, "cases", len(todo))
            for chunk in chunks:
                lines.advance(self._generate_chunk(chunk, batched))
            return
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task(f"generating with {self.backend.name}", total=len(todo))
            for chunk in chunks:
                progress.advance(task, len(self._generate_chunk(chunk, batched)))

    def _generate_chunk(self, chunk, batched) -> list:
        outputs = batched([m for _, m in chunk]) if batched else [self.backend.generate(chunk[0][1])]
        for (key, _), generation in zip(chunk, outputs):
            self.cache.put(key, generation)
            self.generated += 1
        return outputs

    def judge(self, case: Case, check_names: Iterable[str]) -> dict[str, Finding]:
        response = self.respond(case)
        record = self.records.setdefault(case.id, CaseRecord(case, response))
        functions = self.checks()
        for name in check_names:
            record.findings[name] = functions[name](response, case)
        return {name: record.findings[name] for name in check_names}

    def results(self, layers: Iterable[str]):
        layers = set(layers)
        results = []
        for name, spec in self.thresholds.checks.items():
            if spec.layer not in layers:
                continue
            findings = {cid: r.findings[name] for cid, r in self.records.items() if name in r.findings}
            if any(f.applicable for f in findings.values()):  # a check no selected case exercises has no verdict
                results.append(check_result(spec, findings))
        for name, spec in self.thresholds.aggregates.items():
            if spec.layer in layers and name.startswith("distinct_"):
                messages = [r.response.message for r in self.records.values() if r.response.message]
                results.append(aggregate_result(spec, distinct_n(messages, int(name.split("_")[1])), len(messages)))
        return results

    def report(self, layers: Iterable[str], cases_version: str, baseline: dict | None = None,
               required: Iterable[str] = (), extra: dict | None = None) -> dict:
        """The run's report; `required`: the checks the gate needs a verdict on (a missing one is INCOMPLETE)."""
        results = self.results(layers)
        regressions = None
        if baseline is not None:
            regressions = []
            base_cases = {c["id"]: {k: v["passed"] for k, v in c["findings"].items()} for c in baseline["cases"]}
            now_cases = {cid: {k: f.passed for k, f in r.findings.items() if f.applicable} for cid, r in self.records.items()}
            for result in results:
                base = baseline["checks"].get(result.name)
                if base is not None:
                    regressions.append(paired(result.name, base_cases, now_cases, base["verdict"], result.verdict))
        settings = {**self.backend.settings.__dict__, "backend": self.backend.name}
        extra = {"persona_classifier_heldout_accuracy": round(self.judges.classifier_accuracy, 4),
                 "warmth_floors": self.judges.warmth_floors, "generated_now": self.generated,
                 "served_from_cache": self.cache.hits, **(extra or {})}
        return build_report(self.model_info, settings, cases_version, self.records, results, regressions, extra,
                            self.thresholds.sha256, tuple(required))
