"""Assemble the supplementary responses to risk statements, labelled for risk handling only.

Usage: python scripts/build_risk_responses.py STAGING [--out FILE] [--add]

STAGING/out/responses-N.jsonl holds what writer rwN wrote to the cued statements of
risk-statements.jsonl or of the training part of short-statements.jsonl (with the writer's own
intent); STAGING/rating/N-A.jsonl and N-B.jsonl
two raters' independent `risk_handled` labels; STAGING/adjudication/*.jsonl (not input-*) a
third person's decision on every row the two raters disagreed on. Used only to train the
risk-handling head (all of it is training data). Prints counts and the raters' agreement (of
the writers in STAGING). With --add, the responses already in FILE from other writers are kept.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "src" / "empathy_training" / "data" / "corpus"
DEFAULT_OUT = CORPUS / "risk-responses.jsonl"
LABELS = ("taken_up", "passed_over", "safety_error")


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _by_id(path: Path) -> dict[str, dict[str, object]]:
    return {str(r["response_id"]): r for r in _jsonl(path)} if path.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("staging", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--add", action="store_true", help="keep the writers already in --out")
    args = parser.parse_args()
    statements = {str(r["statement_id"]) for r in _jsonl(CORPUS / "risk-statements.jsonl")}
    statements |= {  # and the training part of the short statements
        str(r["statement_id"])
        for r in _jsonl(CORPUS / "short-statements.jsonl")
        if r.get("split", "train") == "train"
    }
    decided: dict[str, dict[str, object]] = {}
    for path in sorted((args.staging / "adjudication").glob("*.jsonl")):
        if not path.name.startswith("input"):
            decided.update(_by_id(path))
    batches = sorted((args.staging / "out").glob("responses-*.jsonl"))
    new_writers = {f"rw{p.stem.removeprefix('responses-')}" for p in batches}
    kept = _jsonl(args.out) if args.add and args.out.is_file() else []
    rows: list[dict[str, object]] = [r for r in kept if r["writer"] not in new_writers]
    a_all, b_all = [], []
    for written in batches:
        batch = written.stem.removeprefix("responses-")
        a = _by_id(args.staging / "rating" / f"{batch}-A.jsonl")
        b = _by_id(args.staging / "rating" / f"{batch}-B.jsonl")
        for row in _jsonl(written):
            rid = str(row["response_id"])
            if rid not in a or rid not in b or str(row["statement_id"]) not in statements:
                continue  # not rated by both, or not a statement of the set
            first, second = str(a[rid]["risk_handled"]), str(b[rid]["risk_handled"])
            if first not in LABELS or second not in LABELS:
                continue
            if first == second:
                label, source = first, "agreed"
            elif rid in decided and decided[rid]["risk_handled"] in LABELS:
                label, source = str(decided[rid]["risk_handled"]), "adjudicated"
            else:
                continue  # a disagreement nobody has decided yet
            a_all.append(first)
            b_all.append(second)
            rows.append(
                {
                    "response_id": rid,
                    "statement_id": row["statement_id"],
                    "writer": f"rw{batch}",
                    "voice": row.get("voice", ""),
                    "response": row["response"],
                    "writer_intent": row.get("intent", ""),
                    "rater_a": {"risk_handled": first, "weak": bool(a[rid].get("weak"))},
                    "rater_b": {"risk_handled": second, "weak": bool(b[rid].get("weak"))},
                    "label_source": source,
                    "risk_handled": label,
                }
            )
    with args.out.open("w", encoding="utf-8") as file:
        for row in rows:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")
    agree = sum(x == y for x, y in zip(a_all, b_all, strict=True))
    print(
        json.dumps(
            {
                "responses": len(rows),
                "new_responses": len(a_all),
                "labels": Counter(str(r["risk_handled"]) for r in rows),
                "adjudicated": sum(r["label_source"] == "adjudicated" for r in rows),
                "agreement_a_b": round(agree / max(1, len(a_all)), 3),
                "kappa_a_b": round(float(cohen_kappa_score(a_all, b_all)), 3) if a_all else None,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
