"""AnnoMI's therapist utterances with their context and labels, and its validation videos.

Shared by the training script (which trains on the other videos) and the AnnoMI benchmark
(which measures on these). Reads the shared data folder; nothing here ships with the package.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA_ENV = "EMPATHY_TRAINING_SHARED_DATA"
#: Salt for the validation split, so it is independent of the buckets that chose the subset.
SPLIT_SALT = "empathy-training/annomi-validation/v1:"
#: One video in VALIDATION_EVERY is held out.
VALIDATION_EVERY = 5
BEHAVIOUR_LABELS = {
    "reflection": "reflection",
    "question": "question",
    "therapist_input": "input",
    "other": "other",
}


def shared_data_dir(argument: str | None = None) -> Path:
    """The shared data folder: the argument, the environment variable, or beside the checkout."""
    if argument:
        return Path(argument)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return ROOT.parent / "shared" / "data"


def is_validation_video(video_url: str) -> bool:
    """Whether a video is held out for validation (deterministic, about one in five)."""
    digest = hashlib.sha256((SPLIT_SALT + video_url).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % VALIDATION_EVERY == 0


def _majority(values: list[str], tie: str) -> str:
    """Most common value; a tie goes to `tie`."""
    counts = Counter(values).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        return tie
    return counts[0][0]


def load_annomi(data_dir: Path) -> pd.DataFrame:
    """Therapist utterances with context and labels, one row per utterance.

    Columns: video_url, transcript_id, utterance_id, response, client_statement (the nearest
    preceding client utterance in the transcript, or ""), behaviour, reflection_depth and
    question_type (None where the utterance has no reflection / question), validation (bool).
    Depth and question type aggregate AnnoMI-full's annotators: an utterance counts when at
    least half its annotators coded a subtype; the label is the majority, ties going to
    "simple" (MITI's rule when unsure) and to "closed" (the lower-credit code likewise).
    """
    simple = pd.read_csv(data_dir / "annomi" / "AnnoMI-simple.csv")
    full = pd.read_csv(data_dir / "annomi" / "AnnoMI-full.csv")
    simple = simple.sort_values(["transcript_id", "utterance_id"])
    rows: list[dict[str, Any]] = []
    last_client: dict[int, str] = {}
    record: dict[Any, Any]
    for record in simple.to_dict("records"):
        transcript = int(record["transcript_id"])
        raw_text = record["utterance_text"]
        text = raw_text if isinstance(raw_text, str) else ""
        if record["interlocutor"] == "client":
            last_client[transcript] = text
            continue
        rows.append(
            {
                "video_url": str(record["video_url"]),
                "transcript_id": transcript,
                "utterance_id": int(record["utterance_id"]),
                "response": text,
                "client_statement": last_client.get(transcript, ""),
                "behaviour": BEHAVIOUR_LABELS[str(record["main_therapist_behaviour"])],
            }
        )
    data = pd.DataFrame(rows)
    therapist = full[full["interlocutor"] == "therapist"]
    depth: dict[tuple[int, int], str] = {}
    qtype: dict[tuple[int, int], str] = {}
    for keys, group in therapist.groupby(["transcript_id", "utterance_id"]):
        transcript, utterance = cast(tuple[int, int], keys)
        key = (int(transcript), int(utterance))
        n = len(group)
        reflections = [str(v) for v in group["reflection_subtype"].dropna()]
        questions = [str(v) for v in group["question_subtype"].dropna()]
        if reflections and 2 * len(reflections) >= n:
            depth[key] = _majority(reflections, tie="simple")
        if questions and 2 * len(questions) >= n:
            qtype[key] = _majority(questions, tie="closed")
    utterances = [(row["transcript_id"], row["utterance_id"]) for row in rows]
    data["reflection_depth"] = [depth.get(k) for k in utterances]
    data["question_type"] = [qtype.get(k) for k in utterances]
    data["validation"] = data["video_url"].map(is_validation_video)
    return data
