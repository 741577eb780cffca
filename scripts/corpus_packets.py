"""Prepare what the corpus's raters and adjudicators see, from the writers' files.

Usage:
  python scripts/corpus_packets.py rating STAGING
  python scripts/corpus_packets.py adjudication STAGING

`rating` writes STAGING/rating/input/bN.jsonl for each writer folder STAGING/writers/wN: the
rows of each statement together, shuffled within the statement, with only `response_id`,
`client`, `statement` and `response` (never the writer's intent), and
STAGING/statements/rating/input/wsN.jsonl for each risk-statement writer (without the writer's
`risk` intent). `adjudication` writes STAGING/rating/input/bN-adj.jsonl: the rows where the two
raters' labels differ, with both labellings and the fields they differ on. The layout is the
one `build_corpus.py` and `build_risk_statements.py` read.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from build_corpus import LABEL_FIELDS, _jsonl, _labels


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as file:
        for row in rows:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{path}: {len(rows)} rows")


def rating(staging: Path) -> None:
    """Write the raters' input for every writer and risk-statement writer."""
    for folder in sorted((staging / "writers").glob("w*")):
        statements = {s["statement_id"]: s for s in _jsonl(folder / "statements.jsonl")}
        by_statement: dict[str, list[dict[str, Any]]] = {}
        for response in _jsonl(folder / "responses.jsonl"):
            by_statement.setdefault(response["statement_id"], []).append(response)
        shuffle = random.Random(folder.name)
        rows = []
        for statement_id, responses in by_statement.items():
            shuffle.shuffle(responses)
            statement = statements[statement_id]
            rows += [
                {
                    "response_id": r["response_id"],
                    "client": statement["client"],
                    "statement": statement["statement"],
                    "response": r["response"],
                }
                for r in responses
            ]
        _write(staging / "rating" / "input" / f"{folder.name.replace('w', 'b', 1)}.jsonl", rows)
    for folder in sorted((staging / "statements").glob("ws*")):
        rows = [
            {"statement_id": s["statement_id"], "client": s["client"], "statement": s["statement"]}
            for s in _jsonl(folder / "statements.jsonl")
        ]
        random.Random(folder.name).shuffle(rows)
        _write(staging / "statements" / "rating" / "input" / f"{folder.name}.jsonl", rows)


def adjudication(staging: Path) -> None:
    """Write the rows each pair of raters disagreed on, for an adjudicator."""
    labels = staging / "rating" / "labels"
    for rater_a_file in sorted(labels.glob("b*-A.jsonl")):
        batch = rater_a_file.name.removesuffix("-A.jsonl")
        given = {
            r["response_id"]: r for r in _jsonl(staging / "rating" / "input" / f"{batch}.jsonl")
        }
        rater_b_file = labels / f"{batch}-B.jsonl"
        if not rater_b_file.is_file() or not len(given) == len(_jsonl(rater_a_file)) == len(
            _jsonl(rater_b_file)
        ):
            print(f"{batch}: not rated by both raters yet")
            continue
        rater_b = {r["response_id"]: r for r in _jsonl(rater_b_file)}
        rows = []
        for a in _jsonl(rater_a_file):
            b = rater_b[a["response_id"]]
            differ = [f for f in LABEL_FIELDS if _labels(a)[f] != _labels(b)[f]]
            if differ:
                rows.append(
                    {
                        **given[a["response_id"]],
                        "rater_1": {**_labels(a), "rationale": a.get("rationale", "")},
                        "rater_2": {**_labels(b), "rationale": b.get("rationale", "")},
                        "disagree_on": differ,
                    }
                )
        _write(staging / "rating" / "input" / f"{batch}-adj.jsonl", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("rating", "adjudication"))
    parser.add_argument("staging", type=Path)
    args = parser.parse_args()
    (rating if args.step == "rating" else adjudication)(args.staging)


if __name__ == "__main__":
    main()
