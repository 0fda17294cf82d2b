"""Write blank labelling sheets (labels/<seed>.indicators.csv, .projects.csv) for a seed.

The labelled set in labels/ was started from these sheets; docs/labelling.md says how
the `categories` column is filled. Existing sheets are never overwritten.

    python scripts/label_sheets.py ../shared/seeds/000_374f52ec377d0399.txt
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

import kpiscore

LABELS = Path(__file__).resolve().parents[1] / "labels"


def sheets(seed: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    document = kpiscore.parse(seed)
    indicators, projects = [], []
    for project in document.projects:
        projects.append({
            "project": project.index, "kind": project.kind, "title": project.title,
            "budget_wan": project.budget_wan, "fiscal_wan": project.fiscal_wan,
            "other_wan": project.other_wan, "purpose": project.purpose,
            "spending_plan": json.dumps(project.spending_plan, ensure_ascii=False),
            "goal": project.goal, "explanation": project.explanation,
            "indicators": len(project.indicators), "categories": "", "note": "",
        })
        for row, indicator in enumerate(project.indicators, start=1):
            indicators.append({
                "project": project.index, "row": row, "level1": indicator.level1,
                "level2": indicator.level2, "name": indicator.name,
                "description": indicator.description, "value": indicator.value,
                "basis": indicator.basis, "categories": "", "note": "",
            })
    return pd.DataFrame(indicators), pd.DataFrame(projects)


def main(paths: list[str]) -> None:
    LABELS.mkdir(exist_ok=True)
    for path in map(Path, paths):
        for kind, frame in zip(("indicators", "projects"), sheets(path)):
            target = LABELS / f"{path.stem}.{kind}.csv"
            if target.exists():
                print(f"kept {target}")
                continue
            frame.to_csv(target, index=False, encoding="utf-8")
            print(f"wrote {target} ({len(frame)} rows)")


if __name__ == "__main__":
    main(sys.argv[1:])
