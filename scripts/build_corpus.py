"""Assemble the labelled corpus of written responses from its writers' and raters' files.

Usage: python scripts/build_corpus.py STAGING [--out DIR] [--add]

STAGING holds what the independent writers and raters produced:
  writers/wN/statements.jsonl, writers/wN/responses.jsonl   (one folder per writer)
  rating/labels/bN-A.jsonl, bN-B.jsonl                      (two raters per writer's batch)
  rating/labels/bN-adj.jsonl                                (an adjudicator, rows they disagreed on)
Writes statements.jsonl and responses.jsonl to DIR (default: the package's data/corpus). Each
response keeps both raters' labels and rationales; `labels` is what they agreed on, or the
adjudicator's decision where they disagreed (`label_source` says which). Rows of the blind
writers get split "blind" and are never used to train or tune. With --add, the rows already in
DIR are kept and only the writers found in STAGING are replaced or added (a later round of
writers joins the corpus without its earlier staging files).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "empathy_training" / "data" / "corpus"
#: Writers whose statements and responses form the blind test part.
BLIND_WRITERS = ("w7", "w8")
#: The labels each rater gives a row.
LABEL_FIELDS = (
    "level",
    "behaviour",
    "question_type",
    "depth",
    "roadblocks",
    "validation_level",
    "risk_handled",
    "er",
    "ip",
    "ex",
)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: not JSON ({exc})") from None
    return rows


def _labels(row: dict[str, Any]) -> dict[str, Any]:
    labels = {name: row[name] for name in LABEL_FIELDS}
    labels["roadblocks"] = sorted(set(labels["roadblocks"]))
    return labels


def _by_id(path: Path) -> dict[str, dict[str, Any]]:
    return {row["response_id"]: row for row in _jsonl(path)} if path.is_file() else {}


def _kept(out: Path, name: str, new_writers: set[str]) -> list[dict[str, Any]]:
    path = out / name
    rows = _jsonl(path) if path.is_file() else []
    return [row for row in rows if row["writer"] not in new_writers]


def build(staging: Path, out: Path, add: bool = False) -> dict[str, Any]:
    """Write the corpus files; return counts."""
    folders = sorted((staging / "writers").iterdir(), key=lambda f: (len(f.name), f.name))
    new_writers = {folder.name for folder in folders} if add else set()
    statements = _kept(out, "statements.jsonl", new_writers) if add else []
    responses = _kept(out, "responses.jsonl", new_writers) if add else []
    sources: dict[str, int] = {}
    for folder in folders:
        writer = folder.name
        batch = writer.replace("w", "b", 1)
        split = "blind" if writer in BLIND_WRITERS else "train"
        for statement in _jsonl(folder / "statements.jsonl"):
            statements.append({**statement, "writer": writer, "split": split})
        labels = staging / "rating" / "labels"
        rater_a = _by_id(labels / f"{batch}-A.jsonl")
        rater_b = _by_id(labels / f"{batch}-B.jsonl")
        adjudicated = _by_id(labels / f"{batch}-adj.jsonl")
        for response in _jsonl(folder / "responses.jsonl"):
            rid = response["response_id"]
            a, b = rater_a.get(rid), rater_b.get(rid)
            final: dict[str, Any] | None = None
            source = "unlabelled"
            if a is not None and b is not None and _labels(a) == _labels(b):
                final, source = _labels(a), "agreed"
            elif rid in adjudicated:
                final, source = _labels(adjudicated[rid]), "adjudicated"
            elif a is not None:
                final, source = _labels(a), "rater_a"
            sources[source] = sources.get(source, 0) + 1
            responses.append(
                {
                    "response_id": rid,
                    "statement_id": response["statement_id"],
                    "writer": writer,
                    "split": split,
                    "voice": response.get("voice", ""),
                    "response": response["response"],
                    "writer_intent": response.get("intent", ""),
                    "labels": final,
                    "label_source": source,
                    "rater_a": a and {**_labels(a), "rationale": a.get("rationale", "")},
                    "rater_b": b and {**_labels(b), "rationale": b.get("rationale", "")},
                    "adjudication": adjudicated.get(rid, {}).get("rationale"),
                }
            )
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("statements.jsonl", statements), ("responses.jsonl", responses)):
        with (out / name).open("w", encoding="utf-8") as file:
            for row in rows:
                file.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {
        "statements": len(statements),
        "responses": len(responses),
        "writers": len({s["writer"] for s in statements}),
        "blind_responses": sum(r["split"] == "blind" for r in responses),
        "label_sources": sources,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("staging", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--add", action="store_true", help="keep the writers already in --out")
    args = parser.parse_args()
    if not (args.staging / "writers").is_dir():
        sys.exit(f"{args.staging}: no writers/ folder")
    print(json.dumps(build(args.staging, args.out, args.add), indent=2))


if __name__ == "__main__":
    main()
