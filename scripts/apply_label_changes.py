"""Apply a reviewed list of label changes to the label sheets.

    .venv/bin/python scripts/apply_label_changes.py labels/relabel/proposed_changes.csv labels

Each line names a sheet (`file`), a `project` and `row` (empty for a project table), the
categories it had (`old_categories`, checked, so a stale list is refused) and the ones it
gets (`new_categories`), and the `reason`, appended to the row's note.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def apply(changes: Path, folder: Path) -> int:
    with changes.open(encoding="utf-8") as handle:
        by_file: dict[str, list[dict[str, str]]] = {}
        for change in csv.DictReader(handle):
            by_file.setdefault(change["file"], []).append(change)
    applied = 0
    for name, lines in by_file.items():
        sheet = folder / name
        with sheet.open(encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames or [], list(reader)
        index = {(row["project"], row.get("row", "")): row for row in rows}
        for change in lines:
            row = index[(change["project"], change["row"] if "row" in fields else "")]
            if set(filter(None, row["categories"].split(";"))) != set(filter(None, change["old_categories"].split(";"))):
                raise SystemExit(f"{sheet}: project {change['project']} row {change['row']}: "
                                 f"categories are {row['categories']!r}, the change expects "
                                 f"{change['old_categories']!r}")
            row["categories"] = change["new_categories"]
            row["note"] = "; ".join(filter(None, (row.get("note", ""), f"re-read under DOMAIN.md: {change['reason']}")))
            applied += 1
        with sheet.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return applied


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("changes", type=Path)
    parser.add_argument("folder", type=Path)
    arguments = parser.parse_args()
    print(f"{apply(arguments.changes, arguments.folder)} labels changed")
