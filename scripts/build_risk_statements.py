"""Assemble the supplementary set of client statements labelled for risk cues.

Usage: python scripts/build_risk_statements.py STAGING [--out FILE] [--add] [--split blind]

STAGING/statements/wsN/statements.jsonl holds what each writer wrote (with the writer's own
`risk` intent); STAGING/statements/rating/wsN-A.jsonl and wsN-B.jsonl two raters' independent
judgements. The label is the majority of the writer's intent and the two raters. Used only to
train the statement risk head (all of it is training data). Prints counts and agreement (of the
writers in STAGING). With --add, the statements already in FILE from other writers are kept.
`--split blind` marks the new writers' statements as a blind part, which training never reads
(`split`, "train" by default).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "empathy_training" / "data" / "corpus" / "risk-statements.jsonl"


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("staging", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--add", action="store_true", help="keep the writers already in --out")
    parser.add_argument("--split", choices=("train", "blind"), default="train")
    args = parser.parse_args()
    folders = sorted((args.staging / "statements").glob("ws*"))
    new_writers = {folder.name for folder in folders}
    kept = _jsonl(args.out) if args.add and args.out.is_file() else []
    rows = [row for row in kept if row["writer"] not in new_writers]
    a_all, b_all, w_all = [], [], []
    for folder in folders:
        rating = args.staging / "statements" / "rating"
        a = {r["statement_id"]: r for r in _jsonl(rating / f"{folder.name}-A.jsonl")}
        b = {r["statement_id"]: r for r in _jsonl(rating / f"{folder.name}-B.jsonl")}
        for row in _jsonl(folder / "statements.jsonl"):
            sid = str(row["statement_id"])
            votes = [bool(row["risk"]), bool(a[sid]["risk"]), bool(b[sid]["risk"])]
            a_all.append(votes[1])
            b_all.append(votes[2])
            w_all.append(votes[0])
            rows.append(
                {
                    "statement_id": sid,
                    "writer": folder.name,
                    "split": args.split,
                    "setting": row["setting"],
                    "client": row["client"],
                    "statement": row["statement"],
                    "writer_risk": votes[0],
                    "writer_risk_kind": row["risk_kind"],
                    "rater_a": {"risk": votes[1], "risk_kind": a[sid]["risk_kind"]},
                    "rater_b": {"risk": votes[2], "risk_kind": b[sid]["risk_kind"]},
                    "risk": sum(votes) >= 2,
                }
            )
    with args.out.open("w", encoding="utf-8") as file:
        for row in rows:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(
        json.dumps(
            {
                "statements": len(rows),
                "new_statements": len(a_all),
                "with_risk": sum(bool(r["risk"]) for r in rows),
                "kappa_rater_a_b": round(float(cohen_kappa_score(a_all, b_all)), 3),
                "kappa_writer_rater_a": round(float(cohen_kappa_score(w_all, a_all)), 3),
                "agreement_a_b": round(
                    sum(x == y for x, y in zip(a_all, b_all, strict=True)) / len(a_all), 3
                ),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
