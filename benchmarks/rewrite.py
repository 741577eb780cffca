"""How good the stronger versions of poor responses are (scoring/rewrite.py).

Takes the corpus's blind responses at level 1 or 2 (never used to train the scorer), each with
its client statement and no vignette, and the bundled vignettes' level 1 and 2 exemplars with
their vignettes. Prints JSON: how many got a stronger version, the share of those the scorer
places at level 4 or above, and the mean share of the trainee's content words (not function
words) kept. Writes a seeded sample of blind pairs (client statement, original, stronger
version) for a second rater to review.

    python benchmarks/rewrite.py [--sample N] [--seed S] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

from empathy_training.loading import load_library
from empathy_training.models import Vignette
from empathy_training.scoring import score_response
from empathy_training.scoring.rewrite import Rewrite, stronger_version
from empathy_training.scoring.text import analyse_once
from empathy_training.scoring.words import stopwords

CORPUS = Path(__file__).resolve().parents[1] / "src" / "empathy_training" / "data" / "corpus"
RESULTS = Path(__file__).resolve().parent / "results"
#: Highest labelled level counted as a poor response.
POOR = 2


def content_words(text: str) -> set[str]:
    """The lower-case content words of a text (function words and single letters left out)."""
    stop = stopwords()
    return {w.lower for w in analyse_once(text).words if w.lower not in stop and len(w.lower) > 1}


def kept_share(original: str, rewrite: str) -> float:
    """Share of the original's content words that the rewrite still has."""
    mine = content_words(original)
    return len(mine & content_words(rewrite)) / len(mine) if mine else 1.0


def _rewrite(
    text: str, statement: str | None, vignette: Vignette | None, rubric: str
) -> tuple[Rewrite | None, int | None]:
    """The stronger version of one response and the level the scorer gives it, scored afresh."""
    assessment = score_response(text, client_statement=statement, vignette=vignette, rubric=rubric)
    rewrite = stronger_version(
        assessment, vignette=vignette, client_statement=statement, require_key=False
    )
    if rewrite is None:
        return None, None
    again = score_response(
        rewrite.text, client_statement=statement, vignette=vignette, rubric=rubric
    )
    return rewrite, again.hrq_level


def _figures(rows: list[tuple[str, Rewrite | None, int | None]]) -> dict[str, Any]:
    done = [(text, r, level) for text, r, level in rows if r is not None and level is not None]
    return {
        "responses": len(rows),
        "rewritten": len(done),
        "share_rewritten": round(len(done) / len(rows), 3) if rows else 0.0,
        "share_of_rewrites_at_level_4_or_above": round(
            sum(level >= 4 for _, _, level in done) / len(done), 3
        )
        if done
        else 0.0,
        "share_of_rewrites_keeping_trainee_words": round(
            sum(bool(r.kept) for _, r, _ in done) / len(done), 3
        )
        if done
        else 0.0,
        "mean_share_of_content_words_kept": round(
            sum(kept_share(text, r.text) for text, r, _ in done) / len(done), 3
        )
        if done
        else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=30, help="pairs written for review")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--out", type=Path, default=RESULTS / "rewrite-sample.jsonl")
    args = parser.parse_args(argv)

    statements = {
        s["statement_id"]: s["statement"]
        for s in map(json.loads, (CORPUS / "statements.jsonl").read_text().splitlines())
    }
    blind = [
        r
        for r in map(json.loads, (CORPUS / "responses.jsonl").read_text().splitlines())
        if r["split"] == "blind" and r["labels"]["level"] <= POOR
    ]
    blind_rows = []
    for r in blind:
        statement = statements[r["statement_id"]]
        rewrite, level = _rewrite(r["response"], statement, None, "reflection")
        blind_rows.append((r["response"], rewrite, level, r, statement))

    library = load_library()
    exemplar_rows = []
    for vignette in library.vignettes:
        for exemplar in (e for e in vignette.exemplars if e.level <= POOR):
            rubric = library.rubric_for(vignette)
            exemplar_rows.append((exemplar.text, *_rewrite(exemplar.text, None, vignette, rubric)))

    done = [row for row in blind_rows if row[1] is not None]
    chosen = random.Random(args.seed).sample(done, min(args.sample, len(done)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for text, rewrite, level, record, statement in chosen:
            assert rewrite is not None
            pair = {
                "response_id": record["response_id"],
                "client_statement": statement,
                "original": text,
                "original_level_label": record["labels"]["level"],
                "rewrite": rewrite.text,
                "why": rewrite.why,
                "rewrite_level_scored": level,
            }
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    report = {
        "blind_poor_responses": _figures([(t, r, lv) for t, r, lv, _, _ in blind_rows]),
        "vignette_exemplars_level_1_2": _figures(exemplar_rows),
        "review_sample": {"pairs": len(chosen), "seed": args.seed, "file": args.out.name},
        "note": "wording not tuned on the blind responses' results",
    }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
