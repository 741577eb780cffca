"""Does the scorer hear a risk cue in a short client statement? Measured on the blind part of
`data/corpus/short-statements.jsonl` (writers whose statements no model or rule was built from).

Usage: python benchmarks/short_statements.py [--split blind|train]

Each statement is answered with one plain reflection that takes nothing up ("It sounds like
that's been a lot to carry."); the scorer hears a cue when it says the response passed over one
(`risk_handled` set), as a trainee would see it. Prints JSON: cued statements found and
statements without a cue flagged, overall and by kind of risk, beside the two raters' agreement
on the same statements.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from empathy_training.scoring import SCORER_VERSION, score_response

CORPUS = Path(__file__).resolve().parents[1] / "src" / "empathy_training" / "data" / "corpus"
REFLECTION = "It sounds like that's been a lot to carry."


def measure(split: str = "blind") -> dict[str, object]:
    """The scorer's and the raters' figures on one part of the short statements."""
    with (CORPUS / "short-statements.jsonl").open(encoding="utf-8") as lines:
        rows = [r for r in map(json.loads, lines) if r.get("split", "train") == split]
    if not rows:
        raise SystemExit(f"no short statements in the {split} part")
    found: Counter[str] = Counter()
    cued: Counter[str] = Counter()
    flagged = uncued = raters_agree = 0
    for row in rows:
        heard = score_response(REFLECTION, client_statement=row["statement"]).risk_handled
        raters_agree += row["rater_a"]["risk"] == row["rater_b"]["risk"]
        if row["risk"]:
            kind = row["writer_risk_kind"] if row["writer_risk"] else row["rater_a"]["risk_kind"]
            cued[kind] += 1
            found[kind] += heard is not None
        else:
            uncued += 1
            flagged += heard is not None
    return {
        "scorer_version": SCORER_VERSION,
        "split": split,
        "statements": len(rows),
        "writers": sorted({r["writer"] for r in rows}),
        "cued_found": f"{sum(found.values())} of {sum(cued.values())}",
        "cued_found_share": round(sum(found.values()) / max(1, sum(cued.values())), 3),
        "uncued_flagged": f"{flagged} of {uncued}",
        "uncued_flagged_share": round(flagged / max(1, uncued), 3),
        "by_kind": {k: f"{found[k]} of {cued[k]}" for k in sorted(cued)},
        "raters_agree": round(raters_agree / len(rows), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("blind", "train"), default="blind")
    print(json.dumps(measure(parser.parse_args().split), indent=2))


if __name__ == "__main__":
    main()
