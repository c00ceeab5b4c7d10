"""Cards parse, constants live once, malformed cards fail with file:line, generated modules are fresh."""
from collections import Counter
from pathlib import Path

import pytest

from josi.core.facts import build_facts, facts
from josi.knowledge.generate import rendered
from josi.core.cards import CardError, KNOWLEDGE_DIR, default_cards, load_cards, parse_card

EXPECTED_CARDS = {
    "zone_anchors", "zone_physiology", "energy_systems", "training_load_model", "load_monitoring",
    "periodization", "meso_structure", "session_rules", "session_variety", "monotony", "modifiers",
    "modifiers_running", "modifiers_cycling", "goal_demands", "feasibility", "josi_explanations",
    "josi_personas", "josi_contract",
}


def test_all_eighteen_cards_parse_with_tables():
    cards = default_cards()
    assert set(cards) == EXPECTED_CARDS
    for card in cards.values():
        assert card.tables, f"{card.path} has no machine table"
        assert card.prose, f"{card.path} has no prose"


def test_each_table_name_is_defined_once_across_cards():
    names = Counter(name for card in default_cards().values() for name in card.tables)
    assert [name for name, count in names.items() if count > 1] == []


def test_readiness_gating_comes_from_the_card():
    f = facts()
    assert {level: r.max_zone for level, r in f.readiness.items()} == {"green": "Z8", "amber": "Z5", "red": "Z2"}
    assert f.zone_allowed("Z5", "amber") and not f.zone_allowed("Z6", "amber")
    assert f.zone_allowed("Z2", "red") and not f.zone_allowed("Z3", "red")


def test_zones_personas_and_contract_are_complete():
    f = facts()
    assert list(f.zones) == ["R"] + [f"Z{i}" for i in range(1, 9)]
    assert set(f.personas) == {"balanced", "drill_sergeant", "dutch_directness", "science_nerd"}
    drill, dutch = f.personas["drill_sergeant"], f.personas["dutch_directness"]
    assert drill.style != dutch.style and set(drill.markers).isdisjoint(dutch.markers)
    assert "ctl" in f.contract.forbidden_words
    assert set(f.contract.cross_field_rules)


def test_generated_modules_are_fresh():
    stale = [str(path) for path, text in rendered(default_cards()).items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"run `josi knowledge build`: stale {stale}"


GOOD = """---
id: {id}
title: T
version: 1.0
summary: S
---
Some prose.

<!-- table: things -->
| name | value | tags_list |
|---|---|---|
| a | 1 | x; y |
"""


def write(tmp_path: Path, text: str, name: str = "demo") -> Path:
    path = tmp_path / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_card_parses_typed_cells(tmp_path):
    card = parse_card(write(tmp_path, GOOD.format(id="demo")))
    row = card.table("things").rows[0]
    assert row == {"name": "a", "value": 1, "tags_list": ("x", "y")}


@pytest.mark.parametrize("broken, line, expected", [
    (GOOD.format(id="demo").replace("---\nid", "id", 1), 1, "front matter"),
    (GOOD.format(id="other"), 2, "id: demo"),
    (GOOD.format(id="demo").replace("summary: S\n", ""), 5, "summary"),
    (GOOD.format(id="demo").replace("| a | 1 | x; y |", "| a | 1 |"), 12, "3 cells"),
    (GOOD.format(id="demo").replace("|---|---|---|", "| x | y | z |"), 11, "separator row"),
    (GOOD.format(id="demo").replace("<!-- table: things -->\n", "<!-- table: things -->\n\nplain text\n"), 11, "pipe table"),
    (GOOD.format(id="demo").replace("| name |", "| Name |"), 10, "snake_case"),
    (GOOD.format(id="demo").replace("title: T\n", "title T\n"), 3, "key: value"),
])
def test_malformed_card_names_file_and_line(tmp_path, broken, line, expected):
    path = write(tmp_path, broken)
    with pytest.raises(CardError) as err:
        load_cards(tmp_path)
    assert err.value.path == path and err.value.line == line
    assert expected in str(err.value) and str(path) in str(err.value)


def test_missing_required_table_names_the_card(tmp_path):
    for card in KNOWLEDGE_DIR.glob("*.md"):
        text = card.read_text(encoding="utf-8")
        if card.stem == "load_monitoring":
            text = text.replace("<!-- table: readiness_levels -->", "<!-- table: levels_renamed -->")
        (tmp_path / card.name).write_text(text, encoding="utf-8")
    with pytest.raises(CardError, match="load_monitoring.md.*readiness_levels"):
        build_facts(load_cards(tmp_path))


# A cell of the wrong type fails every command that reads the cards, naming card, line and column.
BAD_CELLS = [  # (card, the exact line text, its replacement, what the error must say)
    ("zone_anchors", "| Z2 | 55 | 75 | 1.15 | 1.30 | 68 | 83 | 72 | 82 |", "| Z2 | 55 | 75 | 1.15 | 1.30 | 68 | eighty-three | 72 | 82 |",
     "a number (or - for none) in column lthr_pct_high of table 'zone_anchors', got 'eighty-three'"),
    ("zone_anchors", "| Z2 | 55 | 75 | 1.15 | 1.30 | 68 | 83 | 72 | 82 |", "| Z2 | 85 | 75 | 1.15 | 1.30 | 68 | 83 | 72 | 82 |",
     "power_ftp_pct_low <= power_ftp_pct_high in table 'zone_anchors', got 85 > 75"),
    ("session_variety", "| easy | yes | - | no |", "| easy | maybe | - | no |",
     "yes or no in column may_repeat_in_week of table 'variety_rules', got 'maybe'"),
    ("modifiers", "| 18_39 | 18 | 39 | 1.00 | Z8 |", "| 18_39 | 18 | 39 | 1.00 | Z9 |",
     "a zone code (R, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8) in column max_zone of table 'age_bands', got 'Z9'"),
]


@pytest.mark.parametrize("card, line, replacement, expected", BAD_CELLS, ids=[c[3].split(" in ")[0][:20] for c in BAD_CELLS])
def test_a_cell_of_the_wrong_type_fails_with_card_line_and_column(tmp_path, card, line, replacement, expected):
    import shutil
    import subprocess
    import sys

    cards = tmp_path / "cards"
    shutil.copytree(KNOWLEDGE_DIR, cards)
    path = cards / f"{card}.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = lines.index(line) + 1
    path.write_text(path.read_text(encoding="utf-8").replace(line, replacement), encoding="utf-8")
    for command in (["knowledge", "check", "--cards", str(cards)], ["data", "build", "--knowledge", str(cards), "--out", str(tmp_path / "data")]):
        result = subprocess.run([sys.executable, "-m", "josi.cli", *command], capture_output=True, text=True)
        assert result.returncode == 2, (command, result.stderr)
        assert f"{path}:{number}: " in result.stderr and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # nothing half-written


def test_the_real_cards_follow_the_column_types():
    from josi.core.cards import column_kind

    kinds = {column_kind(col) for card in default_cards().values() for table in card.tables.values() for col in table.columns}
    assert {"number", "bool", "zone"} <= kinds  # the typed columns are really there, so the check bites
