"""Core: typed views of the knowledge cards: zones, readiness and its cap, personas, the contract vocabulary.

Place in the pipeline: below every stage; imports josi.core.cards only. Everything here is derived
from the cards at load time; no domain constant is written in code. The readiness cap has its one
home here: `Facts.cap`, `Facts.cap_index`, `Facts.allowed_zones` and `Facts.zone_allowed`, and so has
the way a zone is written in text (`zone_code_pattern`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

from josi.core.cards import ZONE_COLUMNS, Card, CardError, default_cards


@dataclass(frozen=True)
class Zone:
    name: str
    index: int
    label: str
    rpe: tuple[int | float, int | float]
    talk_test: str
    purpose: str
    plain_purpose: str
    focus_cue: str
    power_ftp_pct: tuple[float | None, float | None]
    pace_factor: tuple[float | None, float | None]
    lthr_pct: tuple[float | None, float | None]
    hrmax_pct: tuple[float | None, float | None]


@dataclass(frozen=True)
class Readiness:
    level: str
    max_zone: str
    meaning: str
    max_session_min: int = 240  # the longest session the engine plans on such a day


@dataclass(frozen=True)
class Persona:
    id: str
    display_name: str
    warmth: float
    directness: float
    technical_depth: float
    sentence_length: str
    min_message_tokens: int
    max_message_tokens: int
    style: str
    markers: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    intents: tuple[str, ...]
    response_types: tuple[str, ...]
    guardrail_reasons: tuple[str, ...]
    replan_types: tuple[str, ...]
    cross_field_rules: Mapping[str, str]
    forbidden_words: tuple[str, ...]
    jargon: Mapping[str, tuple[str, ...]]  # term -> personas allowed to use it
    medical_red_flags: tuple[str, ...]
    red_flag_severity: Mapping[str, str]  # flag -> a severity of the red_flag_severities table
    red_flag_phrase: Mapping[str, str]  # flag -> the plain words a message uses for it
    medical_referral_words: tuple[str, ...]  # a SafetyWarning names one of these (routing check)
    medical_reassurance: Mapping[str, tuple[str, ...]]  # kind (phrase, hedge, benign, ...) -> words (medical_reassurance)
    i6_request_kinds: Mapping[str, str]  # kind -> expected intent
    replan_reason_facts: Mapping[str, str]  # day or body-part word -> its kind (a replan reason keeps them)
    readiness_signal_words: Mapping[str, str] = None  # word -> the readiness signal it names (unstated_signals)


@dataclass(frozen=True)
class Facts:
    zones: Mapping[str, Zone]
    readiness: Mapping[str, Readiness]
    readiness_states: Mapping[str, str]  # state -> typical level
    personas: Mapping[str, Persona]
    contract: Contract
    card_ids: tuple[str, ...]
    effort_words: Mapping[str, str] = None  # everyday phrase for hard work -> the lowest zone it means
    low_confidence_below: float = 0.6  # load_monitoring confidence_bands: the `low` band's upper bound
    # (zone, persona) -> ((plain purpose, focus cue), ...): the card's zone explanation in that persona's words
    voiced_explanations: Mapping[tuple[str, str], tuple[tuple[str, str], ...]] = None
    # josi_personas "Language": the language the athlete writes in -> the language Josi answers in, and the
    # function words that tell the languages apart (reply_language check)
    reply_language: Mapping[str, str] = None
    language_words: Mapping[str, frozenset[str]] = None
    # (state, persona) -> meanings and (phase, persona) -> purposes in that persona's words (load_monitoring
    # readiness_states_voiced, periodization phase_purposes_voiced): the card's fact, not its one sentence
    voiced_states: Mapping[tuple[str, str], tuple[str, ...]] = None
    voiced_phases: Mapping[tuple[str, str], tuple[str, ...]] = None

    def explanations(self, zone: str, persona: str) -> tuple[tuple[str, str], ...]:
        """Every wording of a zone's plain purpose and focus cue fit for a persona: the card's own
        (zone_explanations, safe in every voice) first, then the persona's (zone_explanations_voiced)."""
        z = self.zones[zone]
        return ((z.plain_purpose, z.focus_cue), *(self.voiced_explanations or {}).get((zone, persona), ()))

    def confidence_band(self, confidence: float) -> str:
        return "low" if confidence < self.low_confidence_below else "high"

    def cap(self, level: str) -> str:
        """The highest zone a readiness level allows today (load_monitoring card)."""
        return self.readiness[level].max_zone

    def cap_index(self, level: str) -> int:
        return self.zones[self.cap(level)].index

    def zone_allowed(self, zone: str, level: str) -> bool:
        return self.zones[zone].index <= self.cap_index(level)

    def allowed_zones(self, level: str) -> tuple[str, ...]:
        """Zones at or below the day's cap, easiest first."""
        return tuple(name for name in self.zones if self.zone_allowed(name, level))


def zone_code_pattern(f: "Facts") -> re.Pattern[str]:
    """A zone written as a code ("Z4", "zone 4", "zones 4"); group 1 is its number.

    The numbers are those of the card's zones named Z<n>, so the checks and the generator read
    zone codes the same way; the number equals the zone's index (R is index 0).
    """
    return _zone_code_pattern(tuple(f.zones))


@lru_cache(maxsize=4)
def _zone_code_pattern(zone_names: tuple[str, ...]) -> re.Pattern[str]:
    numbers = sorted(name[1:] for name in zone_names if re.fullmatch(r"Z\d", name))
    return re.compile(r"\b(?:z|zones?\s*)([" + "".join(numbers) + r"])\b", re.IGNORECASE)


def _require(card: Card, table: str, column: str, values: tuple, valid: set) -> None:
    for row_value in values:
        if row_value not in valid:
            raise CardError(card.path, card.table(table).line, f"{column} in {sorted(valid)}, got {row_value!r}")


def check_zone_columns(cards: Mapping[str, Card], zones: set[str]) -> None:
    """Every zone-typed cell of every card (josi.core.cards.ZONE_COLUMNS) names a zone of the zone table."""
    for card in cards.values():
        for table in card.tables.values():
            for column in (c for c in table.columns if c in ZONE_COLUMNS):
                for row, line in zip(table.rows, table.row_lines or (table.line,) * len(table.rows)):
                    if row[column] is not None and row[column] not in zones:
                        raise CardError(card.path, line, f"a zone code ({', '.join(zones_in_order(cards))}) in column "
                                                         f"{column} of table {table.name!r}, got {row[column]!r}")


def zones_in_order(cards: Mapping[str, Card]) -> list[str]:
    return list(cards["zone_physiology"].table("zones").column("zone"))


def effort_words(card: Card, zones: set[str]) -> Mapping[str, str]:
    table = card.table("effort_words")
    _require(card, "effort_words", "zone", table.column("zone"), zones)
    return {str(row["phrase"]).lower(): row["zone"] for row in table.rows}


def voiced_column(card: Card, table: str, key: str, value: Callable[[Mapping[str, Any]], Any], keys: set,
                  personas: set) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(key, persona) -> the wordings of one card fact in that persona's words (`value` of each row, in card
    order); empty when the card has no such table."""
    if table not in card.tables:
        return {}
    rows = card.table(table)
    _require(card, table, key, rows.column(key), keys)
    _require(card, table, "persona", rows.column("persona"), personas)
    out: dict[tuple[str, str], tuple[Any, ...]] = {}
    for row in rows.rows:
        out[row[key], row["persona"]] = (*out.get((row[key], row["persona"]), ()), value(row))
    return out


def build_facts(cards: Mapping[str, Card]) -> Facts:
    for needed in ("zone_anchors", "zone_physiology", "load_monitoring", "josi_personas", "josi_contract", "josi_explanations"):
        if needed not in cards:
            raise CardError(next(iter(cards.values())).path.parent / f"{needed}.md", 0, f"a card with id {needed}")
    anchors = cards["zone_anchors"].table("zone_anchors").by("zone")
    physiology = cards["zone_physiology"].table("zones")
    explanations = cards["josi_explanations"].table("zone_explanations").by("zone")
    zones = {}
    for index, row in enumerate(physiology.rows):
        name = row["zone"]
        anchor, explain = anchors.get(name), explanations.get(name)
        if anchor is None or explain is None:
            card = cards["zone_anchors" if anchor is None else "josi_explanations"]
            raise CardError(card.path, 1, f"a row for zone {name} (listed in zone_physiology)")
        zones[name] = Zone(
            name=name, index=index, label=row["label"], rpe=(row["rpe_low"], row["rpe_high"]),
            talk_test=row["talk_test"], purpose=row["purpose"], plain_purpose=explain["plain_purpose"],
            focus_cue=explain["focus_cue"],
            power_ftp_pct=(anchor["power_ftp_pct_low"], anchor["power_ftp_pct_high"]),
            pace_factor=(anchor["pace_factor_low"], anchor["pace_factor_high"]),
            lthr_pct=(anchor["lthr_pct_low"], anchor["lthr_pct_high"]),
            hrmax_pct=(anchor["hrmax_pct_low"], anchor["hrmax_pct_high"]),
        )
    check_zone_columns(cards, set(zones))
    monitoring = cards["load_monitoring"]
    levels = monitoring.table("readiness_levels")
    _require(monitoring, "readiness_levels", "max_zone", levels.column("max_zone"), set(zones))
    readiness = {row["level"]: Readiness(row["level"], row["max_zone"], row["meaning"], int(row["max_session_min"]))
                 for row in levels.rows}
    states = monitoring.table("readiness_states")
    _require(monitoring, "readiness_states", "typical_level", states.column("typical_level"), set(readiness))
    persona_card = cards["josi_personas"]
    markers = {row["persona"]: row["marker_list"] for row in persona_card.table("persona_markers").rows}
    personas = {
        row["persona"]: Persona(
            id=row["persona"], display_name=row["display_name"], warmth=row["warmth"],
            directness=row["directness"], technical_depth=row["technical_depth"],
            sentence_length=row["sentence_length"], min_message_tokens=row["min_message_tokens"],
            max_message_tokens=row["max_message_tokens"], style=row["style"],
            markers=tuple(markers.get(row["persona"], ())),
        )
        for row in persona_card.table("personas").rows
    }
    language_words = {row["language"]: frozenset(str(w).lower() for w in row["word_list"])
                      for row in persona_card.table("language_words").rows}
    replies = persona_card.table("reply_language")
    _require(persona_card, "reply_language", "reply_language", replies.column("reply_language"), set(language_words))
    contract_card = cards["josi_contract"]
    t = contract_card.table
    _require(contract_card, "medical_red_flags", "severity", t("medical_red_flags").column("severity"),
             set(t("red_flag_severities").column("severity")))
    _require(contract_card, "jargon", "allowed_for_list",
             tuple(p for row in t("jargon").rows for p in row["allowed_for_list"]), set(personas))
    contract = Contract(
        intents=t("intents").column("intent"),
        response_types=t("response_types").column("response_type"),
        guardrail_reasons=t("guardrail_reasons").column("reason"),
        replan_types=t("replan_types").column("type"),
        cross_field_rules={row["code"]: row["rule"] for row in t("cross_field_rules").rows},
        forbidden_words=tuple(str(w).lower() for w in t("forbidden_words").column("term")),
        jargon={str(row["term"]).lower(): tuple(row["allowed_for_list"]) for row in t("jargon").rows},
        medical_red_flags=t("medical_red_flags").column("flag"),
        red_flag_severity={row["flag"]: row["severity"] for row in t("medical_red_flags").rows},
        red_flag_phrase={row["flag"]: row["phrase"] for row in t("medical_red_flags").rows},
        medical_referral_words=tuple(str(w).lower() for w in t("medical_referral_words").column("phrase")),
        medical_reassurance={kind: tuple(str(row["phrase"]).lower() for row in t("medical_reassurance_phrases").rows
                                         if row["kind"] == kind)
                             for kind in ("phrase", "hedge", "benign", "activity", "permission", "delay")},
        i6_request_kinds={row["kind"]: row["expected"] for row in t("i6_request_kinds").rows},
        replan_reason_facts={str(row["word"]).lower(): row["kind"] for row in t("replan_reason_facts").rows},
        readiness_signal_words={str(row["word"]).lower(): row["signal"] for row in t("readiness_signal_words").rows},
    )
    bands = {row["band"]: row for row in monitoring.table("confidence_bands").rows}
    voiced = voiced_column(cards["josi_explanations"], "zone_explanations_voiced", "zone",
                           lambda row: (row["plain_purpose"], row["focus_cue"]), set(zones), set(personas))
    voiced_states = voiced_column(monitoring, "readiness_states_voiced", "state", lambda row: str(row["meaning"]),
                                  set(states.column("state")), set(personas))
    periodization = cards["periodization"]
    voiced_phases = voiced_column(periodization, "phase_purposes_voiced", "phase", lambda row: str(row["purpose"]),
                                  set(periodization.table("phases").column("phase")), set(personas))
    return Facts(zones=zones, readiness=readiness, voiced_explanations=voiced,
                 voiced_states=voiced_states, voiced_phases=voiced_phases, low_confidence_below=float(bands["low"]["confidence_high"]),
                 readiness_states={row["state"]: row["typical_level"] for row in states.rows},
                 personas=personas, contract=contract, card_ids=tuple(sorted(cards)),
                 effort_words=effort_words(cards["zone_physiology"], set(zones)),
                 reply_language={row["user_language"]: row["reply_language"] for row in replies.rows},
                 language_words=language_words)


@lru_cache(maxsize=1)
def facts() -> Facts:
    return build_facts(default_cards())
