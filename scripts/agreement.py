"""Agreement of two blind readings of the same label sheets: Cohen's κ per category, and
the rows where the readers differ (for adjudication).

    .venv/bin/python scripts/agreement.py labels/corpus labels/second_reader/corpus \
        --disagreements labels/second_reader/corpus/disagreements.csv

Each folder holds NAME.indicators.csv and NAME.projects.csv sheets (docs/labelling.md);
κ is computed over every row (indicator categories) or every table (project categories)
of the sheets both folders have, one yes / no decision per category.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from kpiscore.findings import categories


def _sheet(path: Path) -> dict[tuple[str, str], tuple[set[str], dict[str, str]]]:
    with path.open(encoding="utf-8") as handle:
        return {(line["project"], line.get("row", "")): (
            {c.strip() for c in (line["categories"] or "").split(";") if c.strip()}, line)
            for line in csv.DictReader(handle)}


def compare(first: Path, second: Path) -> tuple[list[dict], list[dict]]:
    """(κ per category, disagreements) of the readings in two folders."""
    decisions: dict[str, tuple[list[int], list[int]]] = {c: ([], []) for c in categories()}
    disagreements = []
    for sheet in sorted(first.glob("*.csv")):
        other = second / sheet.name
        if not other.exists() or sheet.name == "disagreements.csv":
            continue
        level = "project" if sheet.name.endswith(".projects.csv") else "indicator"
        a, b = _sheet(sheet), _sheet(other)
        for key in sorted(a.keys() & b.keys(), key=lambda k: (int(k[0]), int(k[1] or 0))):
            (labels_a, line), (labels_b, line_b) = a[key], b[key]
            for category, entry in categories().items():
                if entry["level"] != level:
                    continue
                decisions[category][0].append(category in labels_a)
                decisions[category][1].append(category in labels_b)
                if (category in labels_a) != (category in labels_b):
                    disagreements.append({
                        "document": sheet.name.rsplit(".", 2)[0], "project": key[0], "row": key[1],
                        "category": category, "reader_A": "yes" if category in labels_a else "no",
                        "note_A": line.get("note", ""), "reader_B": "yes" if category in labels_b else "no",
                        "note_B": line_b.get("note", ""),
                        **{name: line.get(name, "") for name in ("level1", "level2", "name", "value",
                                                                "title", "goal")}})
    kappas = []
    for category, (a_says, b_says) in decisions.items():
        both = sum(x and y for x, y in zip(a_says, b_says))
        only_a = sum(x and not y for x, y in zip(a_says, b_says))
        only_b = sum(y and not x for x, y in zip(a_says, b_says))
        kappa = cohen_kappa_score(a_says, b_says) if (both + only_a + only_b) and len(set(a_says + b_says)) > 1 \
            else float("nan")
        kappas.append({"category": category, "units": len(a_says), "both": both, "A_only": only_a,
                       "B_only": only_b, "kappa": kappa})
    return kappas, disagreements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--disagreements", type=Path, help="write the differing rows here (CSV)")
    arguments = parser.parse_args()
    kappas, disagreements = compare(arguments.first, arguments.second)
    print(f"{'category':20} {'units':>6} {'both':>5} {'A only':>7} {'B only':>7} {'kappa':>6}")
    for row in kappas:
        kappa = "—" if row["kappa"] != row["kappa"] else f"{row['kappa']:.2f}"
        print(f"{row['category']:20} {row['units']:>6} {row['both']:>5} {row['A_only']:>7} "
              f"{row['B_only']:>7} {kappa:>6}")
    if arguments.disagreements and disagreements:
        with arguments.disagreements.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(disagreements[0]) + ["decision", "reason"])
            writer.writeheader()
            writer.writerows(disagreements)
        print(f"{len(disagreements)} disagreements -> {arguments.disagreements}")


if __name__ == "__main__":
    main()
