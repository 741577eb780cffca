"""The training examples the scorer's heads learn from: the corpus's rows and statements, the
bundled vignettes, the supplementary risk statements and responses, and AnnoMI's training videos
(used by `train_scorer.py`; the blind part of the corpus is never read here)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from empathy_training.models import ROADBLOCK_IDS
from empathy_training.scoring.features import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "src" / "empathy_training" / "data" / "corpus"
#: Weight of an AnnoMI utterance relative to a corpus response.
ANNOMI_WEIGHT = 0.5
#: Weight of a short client statement (short-statements.jsonl) relative to a corpus statement:
#: at full weight they lifted long, distressed statements without a cue over the threshold (five
#: folds by writer; see the model card).
SHORT_STATEMENT_WEIGHT = 0.25


def _script(name: str) -> Any:
    """Another script of this folder, imported by its path."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Example:
    """One training text with the labels it has (None where a head does not apply)."""

    response: str
    statement: str
    group: str
    weight: float
    labels: dict[str, Any]
    counted: bool = True
    """Whether its features count towards the vocabulary (a statement's sentences do not: they
    would only count the statement's words twice)."""


def load_corpus(split: str = "train", corpus: Path = CORPUS) -> list[dict[str, Any]]:
    """Corpus responses of one split, each with its statement's text and risk under `client`."""
    statements = {}
    with (corpus / "statements.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            statements[row["statement_id"]] = row
    rows = []
    with (corpus / "responses.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["split"] == split and row["labels"] is not None:
                rows.append({**row, "client": statements[row["statement_id"]]})
    return rows


def corpus_examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    """Corpus rows as training examples with every head's label."""
    examples = []
    for row in rows:
        labels = row["labels"]
        found = dict(labels)
        for roadblock in ROADBLOCK_IDS:
            found[f"roadblock_{roadblock}"] = int(roadblock in labels["roadblocks"])
        found["any_roadblock"] = int(bool(labels["roadblocks"]))
        found["validation"] = str(labels["validation_level"])
        found["er"], found["ip"], found["ex"] = (str(labels[k]) for k in ("er", "ip", "ex"))
        found["risk_handling"] = labels["risk_handled"] if labels["risk_handled"] != "na" else None
        found["reply_risk"] = int(labels["risk_handled"] != "na")
        found["names_unstated"] = (
            int(labels["level"] == 5)
            if labels["depth"] == "complex" and not labels["roadblocks"]
            else None
        )
        examples.append(
            Example(row["response"], row["client"]["statement"], row["writer"], 1.0, found)
        )
    return examples


def statement_examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    """One example per client statement: does it carry a risk cue (most of its rows say so)?"""
    votes: dict[str, list[bool]] = {}
    texts: dict[str, tuple[str, str]] = {}
    for row in rows:
        sid = row["statement_id"]
        votes.setdefault(sid, []).append(row["labels"]["risk_handled"] != "na")
        texts[sid] = (row["client"]["statement"], row["writer"])
    return [
        Example("", texts[s][0], texts[s][1], 1.0, {"statement_risk": int(2 * sum(v) > len(v))})
        for s, v in sorted(votes.items())
    ]


def cue_sentence_examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    """The sentences of the corpus's statements: the one holding a statement's risk cue (the
    writer marked its words) says yes, every sentence of a statement without one says no, and
    the other sentences of a statement with a cue are left out, as are statements whose raters
    found a cue their writer did not mark (90 in the training part: where it lies is unknown).
    The supplementary risk statements and AnnoMI's client turns teach this head too, whole."""
    votes: dict[str, list[bool]] = {}
    clients: dict[str, dict[str, Any]] = {}
    for row in rows:
        sid = row["statement_id"]
        votes.setdefault(sid, []).append(row["labels"]["risk_handled"] != "na")
        clients[sid] = row["client"]
    examples = []
    for sid, vote in sorted(votes.items()):
        client = clients[sid]
        text, cue, risky = (
            client["statement"],
            client.get("risk_cue", ""),
            2 * sum(vote) > len(vote),
        )
        at = text.find(cue) if cue else -1
        if risky and at < 0:
            continue
        for start, end in sentence_spans(text):
            holds_cue = risky and start < at + len(cue) and at < end
            if holds_cue or not risky:
                labels = {"cue_sentence": int(holds_cue)}
                examples.append(Example("", text[start:end], client["writer"], 1.0, labels, False))
    return examples


def vignette_examples() -> list[Example]:
    """The bundled vignettes' statements: does each carry a risk cue (its answer key says)?"""
    from empathy_training.loading import load_library

    return [
        Example(
            "", v.statement, "vignettes", 1.0, {"statement_risk": int(bool(v.answer_key.risk_cues))}
        )
        for v in load_library().vignettes
    ]


def risk_statement_examples(
    corpus: Path = CORPUS, name: str = "risk-statements.jsonl", weight: float = 1.0
) -> list[Example]:
    """The supplementary client statements labelled for risk cues (risk-statements.jsonl, or
    another file of the same form), but for a blind part."""
    path = corpus / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as lines:
        rows = [r for r in map(json.loads, lines) if r.get("split", "train") == "train"]
    return [
        Example(
            "",
            r["statement"],
            r["writer"],
            weight,
            {"statement_risk": int(r["risk"]), "cue_sentence": int(r["risk"])},
        )
        for r in rows
    ]


def short_statement_examples(corpus: Path = CORPUS) -> list[Example]:
    """The short client statements (4-25 words) labelled for risk cues (short-statements.jsonl),
    at SHORT_STATEMENT_WEIGHT."""
    return risk_statement_examples(corpus, "short-statements.jsonl", SHORT_STATEMENT_WEIGHT)


def risk_response_examples(corpus: Path = CORPUS) -> list[Example]:
    """The supplementary responses to risk statements, labelled for risk handling only
    (risk-responses.jsonl), each with its statement from risk-statements.jsonl or
    short-statements.jsonl."""
    path = corpus / "risk-responses.jsonl"
    if not path.is_file():
        return []
    statements = {}
    for name in ("risk-statements.jsonl", "short-statements.jsonl"):
        if (corpus / name).is_file():
            with (corpus / name).open(encoding="utf-8") as lines:
                statements.update(
                    {r["statement_id"]: r["statement"] for r in map(json.loads, lines)}
                )
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [
        Example(
            r["response"],
            statements[r["statement_id"]],
            r["writer"],
            1.0,
            {"risk_handling": r["risk_handled"], "reply_risk": 1},
        )
        for r in rows
    ]


def annomi_examples(data_dir: Path) -> list[Example]:
    """AnnoMI's training videos: behaviour, question type and depth; and its clients' turns as
    examples of ordinary talk for the statement risk head (MI conversations about drinking,
    smoking or diet, with no risk cue)."""
    data = _script("annomi_data").load_annomi(data_dir)
    data = data[~data["validation"]]
    examples = []
    clients = sorted(
        {c for c in data["client_statement"] if isinstance(c, str) and len(c.split()) >= 5}
    )
    examples += [
        Example("", c, "annomi-clients", ANNOMI_WEIGHT, {"statement_risk": 0, "cue_sentence": 0})
        for c in clients
    ]
    for row in data.to_dict("records"):
        qtype, depth = row["question_type"], row["reflection_depth"]
        labels = {
            "behaviour": row["behaviour"],
            "question_type": qtype if isinstance(qtype, str) else "none",
            "depth": depth if isinstance(depth, str) else "none",
        }
        examples.append(
            Example(
                row["response"],
                row["client_statement"],
                f"annomi:{row['video_url']}",
                ANNOMI_WEIGHT,
                labels,
            )
        )
    return examples
