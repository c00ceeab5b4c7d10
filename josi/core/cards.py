"""Knowledge cards -> typed, frozen tables.

Cards (knowledge/*.md, format in docs/cards.md) are the single source of truth for every
constant Josi uses. This module only parses; it holds no domain values of its own.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from josi.core.io import UserError
from josi.core.paths import KNOWLEDGE_DIR

REQUIRED_META = ("id", "title", "version", "summary")
TABLE_MARKER = re.compile(r"^<!--\s*table:\s*([a-z0-9_]+)\s*-->\s*$")
SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
INT = re.compile(r"^-?\d+$")
FLOAT = re.compile(r"^-?\d+\.\d+$")


class CardError(UserError, ValueError):
    """A malformed card: carries the file and line so the author can fix it."""

    def __init__(self, path: Path, line: int, expected: str):
        self.path, self.line, self.expected = path, line, expected
        super().__init__(f"{path}:{line}: {expected}")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, Any], ...]
    line: int
    row_lines: tuple[int, ...] = ()  # the file line of each row, for errors that name a cell

    def column(self, name: str) -> tuple[Any, ...]:
        return tuple(row[name] for row in self.rows)

    def by(self, key: str) -> Mapping[Any, Mapping[str, Any]]:
        """Rows indexed by the value of one column (which must be unique)."""
        return MappingProxyType({row[key]: row for row in self.rows})


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    version: str
    summary: str
    meta: Mapping[str, str]
    prose: str
    tables: Mapping[str, Table]
    path: Path
    sha256: str

    def table(self, name: str) -> Table:
        if name not in self.tables:
            raise CardError(self.path, 1, f"a table named {name!r} (card has: {', '.join(self.tables) or 'none'})")
        return self.tables[name]


# Column types, by the column's name, so every card follows one convention (docs/cards.md). A cell of
# the wrong type fails parsing, so no command ever reads "ninety-four" where a number belongs.
NUMBER_SUFFIXES = ("_low", "_high", "_pct", "_min", "_minutes", "_hours", "_s", "_days", "_weeks", "_tokens",
                   "_factor", "_multiplier", "_per_week")
NUMBER_COLUMNS = frozenset({"days", "multiplier", "warmth", "directness", "technical_depth", "amber", "red",
                            "min_minutes"})
BOOL_COLUMNS = frozenset({"activation_required", "may_repeat_in_week", "recheck", "rotate_across_weeks"})
ZONE_COLUMNS = frozenset({"zone", "max_zone"})  # checked against the zone table in josi.core.facts


def column_kind(column: str) -> str | None:
    """'number' (int, float or '-' for none), 'bool' (yes/no), 'zone' (a zone code), or None (free)."""
    if column in BOOL_COLUMNS:
        return "bool"
    if column in ZONE_COLUMNS:
        return "zone"
    if column in NUMBER_COLUMNS or column.endswith(NUMBER_SUFFIXES):
        return "number"
    return None


def check_row(path: Path, line: int, table: str, row: Mapping[str, Any], cells: Mapping[str, str]) -> None:
    for column, value in row.items():
        kind = column_kind(column)
        where = f"column {column} of table {table!r}"
        if kind == "number" and not (value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))):
            raise CardError(path, line, f"a number (or - for none) in {where}, got {cells[column]!r}")
        if kind == "bool" and not isinstance(value, bool):
            raise CardError(path, line, f"yes or no in {where}, got {cells[column]!r}")
        if column.endswith("_low") and isinstance(value, (int, float)):
            high = row.get(column[: -len("_low")] + "_high")
            if isinstance(high, (int, float)) and high < value:
                raise CardError(path, line, f"{column} <= {column[:-4]}_high in table {table!r}, got {value} > {high}")


def parse_cell(text: str, list_column: bool) -> Any:
    text = text.strip()
    if list_column:
        return tuple(parse_cell(part, False) for part in text.split(";") if part.strip())
    if text == "-":
        return None
    if text in ("yes", "no"):
        return text == "yes"
    if INT.match(text):
        return int(text)
    if FLOAT.match(text):
        return float(text)
    return text


def split_row(line: str) -> list[str]:
    line = line.strip()
    return [cell.strip() for cell in line.strip("|").split("|")]


def parse_front_matter(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        raise CardError(path, 1, "front matter starting with a '---' line")
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            missing = [key for key in REQUIRED_META if not meta.get(key)]
            if missing:
                raise CardError(path, number, f"front matter keys {', '.join(missing)} before the closing '---'")
            return meta, number
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise CardError(path, number, "a 'key: value' line in the front matter")
        meta[key.strip()] = value.strip()
    raise CardError(path, len(lines), "a closing '---' line for the front matter")


def parse_table(path: Path, name: str, lines: list[str], start: int) -> tuple[Table, int]:
    """Parse the pipe table that follows a marker; `start` is the 0-based index after it."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or not lines[index].lstrip().startswith("|"):
        raise CardError(path, index + 1, f"a pipe table right after the marker for table {name!r}")
    header = split_row(lines[index])
    if any(not re.fullmatch(r"[a-z][a-z0-9_]*", col) for col in header):
        raise CardError(path, index + 1, f"snake_case column names in table {name!r}, got {header}")
    if len(set(header)) != len(header):
        raise CardError(path, index + 1, f"unique column names in table {name!r}")
    if index + 1 >= len(lines) or not all(SEPARATOR_CELL.match(c) for c in split_row(lines[index + 1])):
        raise CardError(path, index + 2, f"a separator row like |---|---| under the header of table {name!r}")
    if len(split_row(lines[index + 1])) != len(header):
        raise CardError(path, index + 2, f"{len(header)} separator cells in table {name!r}")
    rows, row_lines = [], []
    index += 2
    while index < len(lines) and lines[index].lstrip().startswith("|"):
        cells = split_row(lines[index])
        if len(cells) != len(header):
            raise CardError(path, index + 1, f"{len(header)} cells ({', '.join(header)}) in table {name!r}, got {len(cells)}")
        row = {col: parse_cell(cell, col.endswith("_list")) for col, cell in zip(header, cells)}
        check_row(path, index + 1, name, row, dict(zip(header, cells)))
        rows.append(MappingProxyType(row))
        row_lines.append(index + 1)
        index += 1
    if not rows:
        raise CardError(path, index + 1, f"at least one data row in table {name!r}")
    return Table(name, tuple(header), tuple(rows), start, tuple(row_lines)), index


def parse_card(path: Path) -> Card:
    import hashlib

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CardError(path, text_line_of(raw, err.start), "UTF-8 text") from None
    lines = text.splitlines()
    meta, closing = parse_front_matter(path, lines)
    if meta["id"] != path.stem:
        raise CardError(path, 2, f"id: {path.stem} (the file name), got id: {meta['id']}")
    tables: dict[str, Table] = {}
    prose: list[str] = []
    index = closing
    while index < len(lines):
        marker = TABLE_MARKER.match(lines[index].strip())
        if marker:
            name = marker.group(1)
            if name in tables:
                raise CardError(path, index + 1, f"a unique table name, {name!r} is used twice")
            table, index = parse_table(path, name, lines, index + 1)
            tables[name] = table
            continue
        if lines[index].strip().startswith("<!--") and "table" in lines[index]:
            raise CardError(path, index + 1, "a table marker of the form <!-- table: snake_case_name -->")
        prose.append(lines[index])
        index += 1
    return Card(
        id=meta["id"], title=meta["title"], version=meta["version"], summary=meta["summary"],
        meta=MappingProxyType(meta), prose="\n".join(prose).strip(), tables=MappingProxyType(tables),
        path=path, sha256=hashlib.sha256(raw).hexdigest(),
    )


def text_line_of(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def load_cards(directory: Path | None = None) -> Mapping[str, Card]:
    """Every card in the directory, by id. Raises CardError naming file and line."""
    directory = Path(directory) if directory else KNOWLEDGE_DIR
    paths = sorted(directory.glob("*.md"))
    if not paths:
        raise CardError(directory, 0, "at least one knowledge card (*.md)")
    return MappingProxyType({card.id: card for card in map(parse_card, paths)})


@lru_cache(maxsize=1)
def default_cards() -> Mapping[str, Card]:
    return load_cards(KNOWLEDGE_DIR)


def cards_fingerprint(cards: Mapping[str, Card]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for card_id in sorted(cards):
        digest.update(f"{card_id}:{cards[card_id].sha256}\n".encode())
    return digest.hexdigest()
