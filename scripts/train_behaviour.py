"""Train the response-type classifier on AnnoMI and export its weights as package data.

Usage: python scripts/train_behaviour.py [--data DIR] [--out FILE]

Reads AnnoMI from the shared data folder beside the checkout (or --data, or the environment
variable EMPATHY_TRAINING_SHARED_DATA), holds out whole videos for validation (see
`is_validation_video`), fits three logistic-regression models with scikit-learn, writes
vocabulary, coefficients and intercepts to JSON, and checks that the numpy runtime in
`empathy_training.behaviour` reproduces scikit-learn's probabilities on the held-out videos.
Prints a JSON summary; prints {"skipped": ...} and exits 0 when the data is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from empathy_training import behaviour

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "empathy_training" / "data" / "behaviour-model.json"
DATA_ENV = "EMPATHY_TRAINING_SHARED_DATA"

#: Salt for the validation split, so it is independent of the buckets that chose the subset.
SPLIT_SALT = "empathy-training/annomi-validation/v1:"
#: One video in VALIDATION_EVERY is held out.
VALIDATION_EVERY = 5
SPLIT_DESCRIPTION = (
    "whole videos held out: int(sha256(SPLIT_SALT + video_url)[:8], 16) % 5 == 0, "
    f"SPLIT_SALT = {SPLIT_SALT!r}"
)
BEHAVIOUR_LABELS = {
    "reflection": "reflection",
    "question": "question",
    "therapist_input": "input",
    "other": "other",
}
#: A feature must occur in at least this many training videos to enter a model's vocabulary.
MIN_VIDEOS = 3
#: Inverse regularisation strength per model, chosen by grouped cross-validation on training videos.
C_GRID = (0.03, 0.1, 0.3, 1.0)
#: Weights smaller than this (after rounding) are dropped from the export.
PRUNE_BELOW = 5e-4
DECIMALS = 4
#: Weight of the context-free copy of each training row, for models that read the client's words.
CONTEXT_FREE_WEIGHT = 0.5

#: Cue phrases, grouped; shipped inside the weights file so the runtime matches them the same
#: way. Groups pool rare phrases so that each gets a weight the data can support. "filler" words
#: are skipped when finding how a sentence opens; single "feeling" words are also checked against
#: the client's words (a feeling the client named vs one the response adds). "function" words are
#: never shown as evidence on their own (they carry style, not meaning a trainee can act on).
# fmt: off
LEXICON: dict[str, list[str]] = {
    "filler": [
        "okay", "ok", "alright", "all right", "yeah", "yes", "yep", "mm", "hmm", "mhm",
        "mm-hmm", "uh", "um", "uh-huh", "oh", "right", "well", "so", "and", "but", "now",
        "sure", "wow",
    ],
    "function": [
        "a", "an", "the", "and", "or", "but", "so", "to", "of", "in", "on", "at", "for", "with",
        "by", "from", "as", "that", "this", "it", "it's", "is", "was", "be", "been", "are",
        "i", "i'm", "me", "my", "we", "he", "she", "they", "them", "there", "then", "just",
        "like", "kind", "sort", "um", "uh", "if", "all", "any", "some", "about", "up", "out",
        "do", "have", "has", "had", "can", "will", "would", "not",
    ],
    "reflect": [
        "it sounds like", "sounds like", "it sounds as if", "it seems", "it seems like",
        "seems like", "you feel", "you're feeling", "you are feeling", "you felt", "so you",
        "you're saying", "you are saying", "what i'm hearing", "i'm hearing", "i hear",
        "it's like", "for you", "you've been", "you're really", "you really",
    ],
    "double": [
        "part of you", "on one hand", "on the one hand", "on the other hand",
        "at the same time", "and yet", "and at the same time", "but at the same time",
    ],
    "advice": [
        "you should", "you shouldn't", "you need to", "you have to", "you must",
        "i recommend", "i would recommend", "i'd recommend", "i suggest", "i would suggest",
        "i'd suggest", "my advice", "why don't you", "have you tried", "have you thought about",
        "you could try", "you might try", "you might want to", "it might help",
        "it may help", "it would help", "i think you should", "what if you", "try to",
        "make sure", "consider",
    ],
    "information": [
        "research shows", "studies show", "studies", "research", "most people", "many people",
        "a lot of people", "the risk", "risk of", "can cause", "increases", "percent",
        "guidelines", "recommended", "the evidence", "on average",
    ],
    "permission": [
        "would it be okay", "is it okay", "would it be ok", "is it ok", "do you mind if",
        "would you mind if", "can i share", "may i", "would you like me to",
    ],
    "affirm": [
        "great", "good job", "well done", "that's great", "awesome", "wonderful", "excellent",
        "good for you", "i appreciate", "impressive", "congratulations", "i'm proud",
    ],
    "reassure": [
        "don't worry", "it'll be fine", "it will be fine", "it'll be okay", "it will be okay",
        "everything will be", "at least", "you'll be fine", "it's not that bad",
    ],
    "thanks": ["thank you", "thanks", "you're welcome", "nice to see you", "nice to meet you"],
    "open_question": [
        "what", "how", "tell me", "describe", "explain", "in what way", "help me understand",
        "i wonder", "i'm wondering", "i'm curious",
    ],
    "closed_question": [
        "do you", "did you", "are you", "is it", "is that", "have you", "has it", "can you",
        "could you", "would you", "will you", "was it", "were you", "does it", "is there",
        "how many", "how much", "how often", "how long", "how old",
    ],
    "feeling": [
        "angry", "sad", "scared", "afraid", "worried", "anxious", "frustrated", "overwhelmed",
        "hurt", "lonely", "alone", "guilty", "ashamed", "stuck", "torn", "hopeless",
        "helpless", "stressed", "upset", "tired", "exhausted", "disappointed", "confused",
        "embarrassed", "nervous", "proud", "relieved", "happy", "excited", "hopeful",
        "concerned", "terrified", "devastated", "betrayed", "resentful", "trapped",
        "discouraged", "depressed", "annoyed", "irritated", "jealous", "grief",
        "uncomfortable", "insecure", "worthless", "rejected", "unappreciated", "ambivalent",
        "uncertain", "unsure", "fear", "motivated", "determined", "confident", "comfortable",
        "safe", "bored",
    ],
}
# fmt: on


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


@dataclass(frozen=True)
class Task:
    """One model to train: its name, label column and whether it reads the client's words."""

    name: str
    column: str
    uses_context: bool
    questions_only: bool = False


TASKS = (
    Task("behaviour", "behaviour", uses_context=True),
    Task("reflection_depth", "reflection_depth", uses_context=True),
    Task("question_type", "question_type", uses_context=False, questions_only=True),
)
CUES = behaviour.cue_index(LEXICON)


def task_rows(data: pd.DataFrame, task: Task) -> pd.DataFrame:
    """Rows that carry a label for the task."""
    return data[data[task.column].notna()].reset_index(drop=True)


def _features(rows: pd.DataFrame, task: Task, with_context: bool = True) -> list[dict[str, float]]:
    """Runtime features (name -> value) of each row."""
    out = []
    for response, context in zip(rows["response"], rows["client_statement"], strict=True):
        features = behaviour.featurize(
            response,
            context if task.uses_context and with_context else "",
            cues=CUES,
            questions_only=task.questions_only,
        )
        out.append({name: value for name, (value, _) in features.items()})
    return out


def _vocabulary(features: list[dict[str, float]], videos: list[str]) -> list[str]:
    """Features seen in at least MIN_VIDEOS distinct videos, sorted."""
    seen: dict[str, set[str]] = {}
    for row, video in zip(features, videos, strict=True):
        for name in row:
            seen.setdefault(name, set()).add(video)
    return sorted(name for name, v in seen.items() if len(v) >= MIN_VIDEOS)


def _matrix(features: list[dict[str, float]], vocabulary: list[str]) -> Any:
    """Sparse design matrix over the vocabulary."""
    from scipy import sparse

    index = {name: i for i, name in enumerate(vocabulary)}
    rows, cols, vals = [], [], []
    for r, row in enumerate(features):
        for name, value in row.items():
            c = index.get(name)
            if c is not None:
                rows.append(r)
                cols.append(c)
                vals.append(value)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(features), len(vocabulary)))


def _fit(
    features: list[dict[str, float]],
    labels: list[str],
    videos: list[str],
    c: float,
    without_context: list[dict[str, float]] | None = None,
) -> Any:
    """Fit one logistic regression; returns (model, vocabulary).

    `without_context` holds the same rows featurized with no client statement; they are added
    at weight CONTEXT_FREE_WEIGHT, so a response scored without context is not mistaken for one
    that ignores its context.
    """
    from sklearn.linear_model import LogisticRegression

    weights = [1.0] * len(features)
    if without_context is not None:
        features = features + without_context
        labels = labels + labels
        videos = videos + videos
        weights += [CONTEXT_FREE_WEIGHT] * len(without_context)
    vocabulary = _vocabulary(features, videos)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    model.fit(_matrix(features, vocabulary), labels, sample_weight=weights)
    return model, vocabulary


def _choose_c(
    features: list[dict[str, float]],
    labels: list[str],
    videos: list[str],
    without_context: list[dict[str, float]] | None = None,
) -> tuple[float, dict[str, float]]:
    """Pick C by macro-F1 in five-fold cross-validation grouped by video (scored with context)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    scores: dict[str, float] = {}
    folds = list(GroupKFold(n_splits=5).split(features, labels, groups=videos))
    for c in C_GRID:
        predicted = [""] * len(labels)
        for train, test in folds:
            model, vocabulary = _fit(
                [features[i] for i in train],
                [labels[i] for i in train],
                [videos[i] for i in train],
                c,
                None if without_context is None else [without_context[i] for i in train],
            )
            guesses = model.predict(_matrix([features[i] for i in test], vocabulary))
            for i, guess in zip(test, guesses, strict=True):
                predicted[i] = str(guess)
        scores[str(c)] = round(float(f1_score(labels, predicted, average="macro")), 4)
    best = max(C_GRID, key=lambda c: scores[str(c)])
    return best, scores


def export_model(model: Any, vocabulary: list[str], task: Task) -> dict[str, Any]:
    """JSON form of a fitted model: labels, intercepts and pruned, rounded weights."""
    coef = np.round(model.coef_, DECIMALS)
    weights = {}
    for j, name in enumerate(vocabulary):
        column = coef[:, j]
        if np.abs(column).max() >= PRUNE_BELOW:
            weights[name] = [float(w) for w in column]
    return {
        "labels": [str(c) for c in model.classes_],
        "intercept": [round(float(b), DECIMALS) for b in model.intercept_],
        "uses_context": task.uses_context,
        "questions_only": task.questions_only,
        "weights": weights,
    }


def train(data: pd.DataFrame, out: Path) -> dict[str, Any]:
    """Train, export and check parity; return a summary."""
    summary: dict[str, Any] = {"split": SPLIT_DESCRIPTION, "models": {}}
    exported: dict[str, Any] = {}
    fitted: dict[str, tuple[Any, list[str]]] = {}
    for task in TASKS:
        rows = task_rows(data, task)
        train_rows = rows[~rows["validation"]]
        features = _features(train_rows, task)
        labels = [str(v) for v in train_rows[task.column]]
        videos = [str(v) for v in train_rows["video_url"]]
        bare = _features(train_rows, task, with_context=False) if task.uses_context else None
        c, scores = _choose_c(features, labels, videos, bare)
        model, vocabulary = _fit(features, labels, videos, c, bare)
        fitted[task.name] = (model, vocabulary)
        exported[task.name] = export_model(model, vocabulary, task)
        summary["models"][task.name] = {
            "C": c,
            "cv_macro_f1": scores,
            "n_train": len(train_rows),
            "n_validation": int(rows["validation"].sum()),
            "vocabulary": len(vocabulary),
            "exported_features": len(exported[task.name]["weights"]),
        }
    document = {
        "version": behaviour.MODEL_VERSION,
        "max_chars": behaviour.MAX_CHARS,
        "trained_on": "AnnoMI (uccollab/AnnoMI, commit 4293664), 7-of-10 bucket subset, "
        "training videos only",
        "lexicon": LEXICON,
        "models": exported,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")
    summary["bytes"] = out.stat().st_size
    summary["parity"] = check_parity(data, fitted, out)
    return summary


def check_parity(
    data: pd.DataFrame, fitted: dict[str, tuple[Any, list[str]]], out: Path
) -> dict[str, Any]:
    """Compare scikit-learn with the numpy runtime on held-out rows; raise on disagreement."""
    if out.resolve() != DEFAULT_OUT.resolve():
        return {"skipped": "weights written elsewhere than the package data"}
    behaviour._shipped.cache_clear()
    behaviour._scores.cache_clear()
    predictors = {
        "behaviour": behaviour.predict_behaviour,
        "reflection_depth": behaviour.predict_reflection_depth,
        "question_type": lambda r, _c: behaviour.predict_question_type(r),
    }
    report: dict[str, Any] = {}
    for task in TASKS:
        model, vocabulary = fitted[task.name]
        rows = task_rows(data, task)
        rows = rows[rows["validation"]]
        expected = model.predict_proba(_matrix(_features(rows, task), vocabulary))
        agree = 0
        worst = 0.0
        for i, (response, context) in enumerate(
            zip(rows["response"], rows["client_statement"], strict=True)
        ):
            got = predictors[task.name](response, context)
            probs = np.array([got.probabilities[str(c)] for c in model.classes_])
            worst = max(worst, float(np.abs(probs - expected[i]).max()))
            agree += got.label == str(model.classes_[int(np.argmax(expected[i]))])
        report[task.name] = {"label_agreement": agree / max(1, len(rows)), "max_prob_diff": worst}
        if worst > 0.02 or agree < 0.99 * len(rows):
            raise SystemExit(
                f"runtime and scikit-learn disagree on {task.name}: {report[task.name]}"
            )
    return report


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", help=f"shared data folder (default: ${DATA_ENV} or ../shared/data)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    args = parser.parse_args(argv)
    data_dir = shared_data_dir(args.data)
    if not (data_dir / "annomi" / "AnnoMI-simple.csv").is_file():
        print(json.dumps({"skipped": f"AnnoMI not found under {data_dir}"}))
        return 0
    summary = train(load_annomi(data_dir), args.out)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
