"""What every task generator shares: the Draft it returns, the cell it fills and the Gen helpers.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from josi.core.contract import ChatContext
from josi.core.contract.decision import decision_of
from josi.data import noise
from josi.data.banks import Unusable, compose, least_used, pick, render, usable
from josi.data.world import World, lower_first, strip_period



@dataclass(frozen=True)
class Draft:
    task: str
    family: str  # "<task>/<family key>": rows of one family always share a split
    context: ChatContext
    user: str
    answer: dict[str, Any]
    zone: str | None
    kind: str | None = None  # sub-kind (I6 kind, red flag, replan type, topic) kept in train by the split
    style: str = "plain"  # user-text variant: plain, casual, typo, dutch_english

    @property
    def expect(self) -> str:
        return decision_of(self.answer)

    @property
    def message(self) -> str:
        return self.answer["message"]

    def dedup_text(self) -> str:
        return f"{self.user}\n{self.message}"


@dataclass(frozen=True)
class Cell:
    persona: str
    level: str
    index: int  # position in the task's candidate sequence; 12 consecutive indices cover every cell

    def cycle(self, items: tuple | list) -> Any:
        """Walk a sequence (zones, flags, kinds) so that any len(items) consecutive indices cover every
        item, and any 12 * len(items) consecutive indices cover every item in every cell: index
        12b + c picks item (13b + c) mod n, and 13 is coprime with every n below 13."""
        return items[(self.index + self.index // 12) % len(items)]


class Gen:
    """Helpers bound to one build: the world (cards + banks) and the task's own random stream."""

    def __init__(self, world: World, rng: random.Random):
        self.world, self.rng = world, rng
        self.usage: Counter = Counter()  # (bank, sentence) -> draws so far in this stream (banks.least_used)

    @property
    def banks(self):
        return self.world.banks

    def zone_style(self) -> str:
        return "code" if self.rng.random() < 0.7 else "word"

    def families(self, task: str, prefix: str | None = None) -> list[str]:
        families = sorted(self.banks.users.get(task, {}))
        if prefix is not None:
            families = [f for f in families if f.split(".")[0] == prefix]
        return families

    def user(self, task: str, family: str, values: Mapping[str, Any], *, framed: bool = False) -> tuple[str, str]:
        """(text, style): a template of the family, rendered, maybe framed (authority, guilt, ...), then
        maybe made casual/typo/Dutch-English."""
        return self.user_from(self.banks.users[task][family], values, framed=framed)

    def user_from(self, templates, values: Mapping[str, Any], *, framed: bool = False) -> tuple[str, str]:
        text, framing = pick(templates, values, self.rng, self.usage), None
        if framed:
            text, framing = noise.frame(text, self.rng, self.banks.noise)
        text, style = noise.vary(text, self.rng, self.banks.noise)
        return text, f"{framing}+{style}" if framing else style

    def message(self, persona: str, recipe: str, values: Mapping[str, Any]) -> str:
        return compose(self.banks.persona(persona), recipe, self.voiced(persona, values), self.rng, self.usage)

    def voiced(self, persona: str, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """The values with each zone's plain purpose and focus cue, the readiness state's meaning and the
        phase's purpose in one of the persona's card wordings (zone_explanations_voiced,
        readiness_states_voiced, phase_purposes_voiced), least used first, so one card sentence is not
        pasted into every row that explains its zone, state or phase."""
        voiced = dict(values)
        for prefix in ("", "s_"):
            zone = values.get(prefix + "zone_code")
            if not zone or prefix + "plain_purpose" not in values:
                continue
            wordings = self.world.facts.explanations(zone, persona)
            for field, column in (("plain_purpose", 0), ("focus_cue", 1)):
                chosen = strip_period(least_used([w[column] for w in wordings], self.rng, self.usage, f"{persona}:{field}"))
                voiced[prefix + field], voiced[prefix + field + "_lc"] = chosen, lower_first(chosen)
        facts = self.world.facts
        for field, key, table in (("state_meaning", "state_code", facts.voiced_states),
                                  ("phase_purpose", "phase", facts.voiced_phases)):
            wordings = (table or {}).get((values.get(key), persona))
            if values.get(field) and wordings:
                # the persona's wordings only: each is a clause (or phrase) written to read in the templates, while
                # the card's own sentence for a state can be a fragment ("The pattern often seen just before ...")
                options = [lower_first(strip_period(w)) for w in wordings]
                voiced[field] = least_used(options, self.rng, self.usage, f"{persona}:{field}")
        return voiced

    def pick(self, templates, values: Mapping[str, Any]) -> str:
        return pick(templates, values, self.rng, self.usage)

    def context(self, cell: Cell, **kwargs) -> ChatContext:
        ctx = self.world.context(self.rng, cell.persona, cell.level, **kwargs)
        if ctx is None:
            raise Unusable("no session of that kind fits this day")
        return ctx


def answer(intent: str, response_type: str, message: str, cards: list[str], *, guardrail: str | None = None,
           replan: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"intent": intent, "response_type": response_type, "message": message, "source_cards": cards,
            "guardrail_triggered": guardrail is not None, "guardrail_reason": guardrail, "replan_request": replan}


Generator = Callable[[Gen, Cell], Draft]

__all__ = ["Draft", "Cell", "Gen", "Generator", "answer", "Unusable", "render", "usable"]
