"""The briefs blind calibration writers get (evals/judges/*/BRIEF.md) state the cards' zone table and readiness caps.

Round 12's brief gave Z2 an RPE of 3-4 where the zone_physiology card says 2-3, and five good lines quoted it
(docs/evals.md): a brief is checked against the cards like any other copy of a card value."""
import re
from pathlib import Path

import pytest

from josi.core.facts import facts
from josi.core.paths import REPO_ROOT

BRIEFS = sorted((REPO_ROOT / "evals" / "judges").glob("*/BRIEF.md"))
ROW = re.compile(r"^\|\s*(R|Z\d)\s*\|(.+)\|\s*$", re.MULTILINE)


def band(cell: str):
    cell = cell.strip()
    if cell == "-":
        return None
    low, _, high = cell.partition("-")
    return (int(low), int(high or low))


def zone_rows(text: str) -> dict[str, list[str]]:
    return {m.group(1): [c.strip() for c in m.group(2).split("|")] for m in ROW.finditer(text)}


def problems(text: str) -> list[str]:
    f, found = facts(), []
    rows = zone_rows(text)
    if set(rows) != set(f.zones):
        found.append(f"zones {sorted(rows)} are not the cards' {sorted(f.zones)}")
    for name, (label, ftp, lthr, hrmax, rpe, talk) in ((n, r) for n, r in rows.items() if len(r) == 6 and n in f.zones):
        zone = f.zones[name]
        for what, said, card in (("label", label, zone.label), ("talk test", talk, zone.talk_test)):
            if said.lower() != card.lower():
                found.append(f"{name} {what} {said!r}, card {card!r}")
        for what, said, card in (("%FTP", ftp, zone.power_ftp_pct), ("%LTHR", lthr, zone.lthr_pct),
                                 ("%HRmax", hrmax, zone.hrmax_pct), ("RPE", rpe, zone.rpe)):
            if band(said) != (tuple(card) if card and None not in card else None):
                found.append(f"{name} {what} {said!r}, card {card}")
    for level in ("green", "amber", "red"):
        cap = re.search(rf"\b{level}: up to (Z\d)", text)
        minutes = re.search(rf"\b{level} (\d+) min", text)
        if not cap or cap.group(1) != f.cap(level):
            found.append(f"{level} cap {cap.group(1) if cap else 'missing'}, card {f.cap(level)}")
        if not minutes or int(minutes.group(1)) != f.readiness[level].max_session_min:
            found.append(f"{level} length {minutes.group(1) if minutes else 'missing'}, card {f.readiness[level].max_session_min}")
    return found


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda p: p.parent.name)
def test_each_brief_states_the_cards_zone_table(brief: Path):
    assert not problems(brief.read_text(encoding="utf-8"))


def test_the_check_catches_round_12s_wrong_rpe_and_a_wrong_cap():
    good = BRIEFS[-1].read_text(encoding="utf-8")
    assert BRIEFS and not problems(good)
    wrong_rpe = re.sub(r"(\| Z2 \|[^\n]*\| )2-3( \|)", r"\g<1>3-4\2", good)
    assert wrong_rpe != good and problems(wrong_rpe) == ["Z2 RPE '3-4', card (2, 3)"]
    assert any("amber cap" in p for p in problems(good.replace("amber: up to Z5", "amber: up to Z6")))
