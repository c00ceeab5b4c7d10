"""Intensities said as numbers, read as zones of the zone cards: a share of FTP, LTHR or HRmax ("85% van je max"),
beats and watts against the maximum, LTHR or FTP the athlete gave, an RPE (the zone_physiology RPE column) and the
talk test said as an aim. readiness_gating (josi.core.checks.gating) reads them to find work above the day's cap.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from josi.core.facts import facts

SHARE = r"\b(\d{2,3})(?:\s*(?:-|–|to)\s*\d{2,3})?\s*(?:%|percent|per cent|procent)\s+(?:of|van)\s+(?:your\s+|je\s+|jouw\s+)?"
FTP_PERCENT = re.compile(SHARE + r"ftp\b", re.IGNORECASE)
HRMAX_PERCENT = re.compile(SHARE + r"(?:hr ?max|max(?:imum)? (?:hr|heart rate)|max(?:imum)?(?!\s*(?:power|effort|sprint|speed|pace|watts)))\b",
                           re.IGNORECASE)
LTHR_PERCENT = re.compile(SHARE + r"(?:lthr|lactate threshold heart rate|threshold heart rate)\b", re.IGNORECASE)
# Heart rates in beats and powers in watts, read against the maximum, LTHR or FTP the athlete gave ("My max is 190",
# "My LTHR is 172", "My FTP is 260 W"): 170 bpm is 89% of that maximum, Z4; 340 W is 131% of that FTP, Z6.
RANGE_TO = r"(?:\s*(?:-|–|to|tot)\s*\d{2,4})?"  # a range reads by its low end, as the card's bands do
BPM = re.compile(r"\b(\d{2,3})" + RANGE_TO + r"\s*(?:bpm|beats|slagen)\b", re.IGNORECASE)
WATTS = re.compile(r"\b(\d{2,4})" + RANGE_TO + r"\s*(?:w|watts?)\b", re.IGNORECASE)
MAX_HR_GIVEN = re.compile(r"\bmax(?:imum)?(?:\s*(?:hr|heart rate))?(?:\s*(?:is|of|=|:|was|ligt op|is ongeveer|around|about))*\s*(\d{3})\b|"
                          r"\b(\d{3})\s*(?:bpm\s*)?(?:max|hrmax|hr max)\b", re.IGNORECASE)
LTHR_GIVEN = re.compile(r"\blthr(?:\s*(?:is|of|=|:|was|ligt op|around|about|at))*\s*(\d{3})(?:\s*bpm)?\b", re.IGNORECASE)
FTP_GIVEN = re.compile(r"\bftp(?:\s*(?:is|of|=|:|was|ligt op|around|about|at|is now|van))*\s*(\d{2,3})\s*(?:w|watts?)?\b", re.IGNORECASE)
# The talk test of the zone_physiology card said as an aim ("aim for a breathing rate where you can only manage
# short sentences"), not as a description ("tempo is Z3: you can still talk in short sentences").
TALK_WORDS = (r"\b(?:aim for|target|keep (?:it |yourself )?(?:at|to)|hold|(?:can|could) only|only (?:manage|speak|talk|say)|down to|"
              r"zo hard dat)\b[^.;]{0,40}?")
RPE_VALUE = re.compile(r"\brpe\s*(?:of\s*|van\s*)?(\d{1,2})(?:\s*(?:-|–|to)\s*\d{1,2})?\b", re.IGNORECASE)


def stated_max_hr(text: str) -> int | None:
    m = MAX_HR_GIVEN.search(text)
    value = int(m.group(1) or m.group(2)) if m else None
    return value if value and 140 <= value <= 230 else None


@dataclass(frozen=True)
class Anchors:
    """The athlete's own maximum heart rate, LTHR and FTP, where they gave them."""
    max_hr: int | None = None
    lthr: int | None = None
    ftp: int | None = None

    @classmethod
    def of(cls, text: str) -> "Anchors":
        lthr, ftp = LTHR_GIVEN.search(text), FTP_GIVEN.search(text)
        lthr_value = int(lthr.group(1)) if lthr and 120 <= int(lthr.group(1)) <= 210 else None
        ftp_value = int(ftp.group(1)) if ftp and 80 <= int(ftp.group(1)) <= 500 else None
        return cls(stated_max_hr(LTHR_GIVEN.sub(" ", text)), lthr_value, ftp_value)

    def zones(self, text: str) -> list[int]:
        """Zones of the beats and watts in a text, against the anchors (the anchors' own mentions left out)."""
        text = FTP_GIVEN.sub(" ", LTHR_GIVEN.sub(" ", MAX_HR_GIVEN.sub(" ", text)))
        found = []
        for m in BPM.finditer(text):
            if self.lthr:
                found.append(share_zone(round(100 * int(m.group(1)) / self.lthr), "lthr_pct"))
            elif self.max_hr:
                found.append(share_zone(round(100 * int(m.group(1)) / self.max_hr), "hrmax_pct"))
        if self.ftp:
            found += [share_zone(round(100 * int(m.group(1)) / self.ftp)) for m in WATTS.finditer(text)]
        return found


def share_zone(percent: int, anchor: str = "power_ftp_pct") -> int:
    """The zone whose band of the zone_anchors card (%FTP, %LTHR or %HRmax) holds this percentage: "90-100% of FTP"
    is Z4 work, and so is "88-90% of your max heart rate"."""
    bands = [(zone.index, getattr(zone, anchor)) for zone in facts().zones.values() if getattr(zone, anchor)[0] is not None]
    return max((index for index, (low, _high) in bands if percent >= low), default=0)


@lru_cache(maxsize=1)
def talk_test_patterns() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """Each talk test of the harder zones (the lowest zone that has it) as an aim: "you can only manage short sentences"."""
    first: dict[str, int] = {}
    for zone in sorted(facts().zones.values(), key=lambda z: z.index):
        first.setdefault(zone.talk_test.lower(), zone.index)
    return tuple((index, re.compile(TALK_WORDS + r"\b" + re.escape(phrase) + r"\b", re.IGNORECASE))
                 for phrase, index in first.items() if index >= 3)


def rpe_zone(rpe: int) -> int:
    """The highest zone whose RPE band of the zone_physiology card starts at or below this RPE: RPE 6 is Z4."""
    return max((zone.index for zone in facts().zones.values() if zone.rpe[0] <= rpe), default=0)
