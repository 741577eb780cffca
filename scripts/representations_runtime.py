"""Run-time side of the representations comparison: load an exported model and score responses.

Each representation is exported by `scripts/compare_representations.py` to a folder holding
`meta.json` and its files. Loading it needs numpy only, plus `tokenizers` for the MiniLM-based
ones and `onnxruntime` for the two that run the transformer; never torch or scikit-learn, as in
the trainee app. `Scorer.logits` scores one response, `Scorer.logits_batch` many.

Run as a script to measure one exported model in a fresh process (one thread):

    python scripts/representations_runtime.py rss FOLDER          # peak RSS after one score
    python scripts/representations_runtime.py time FOLDER INPUTS  # latency and throughput
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

Array = np.ndarray[Any, np.dtype[np.float32]]

#: Heads compared, with their classes in output order.
HEADS: dict[str, list[str]] = {
    "behaviour": ["reflection", "question", "input", "other"],
    "roadblock": ["no", "yes"],
    "depth": ["none", "simple", "complex"],
    "validation": ["0", "2", "3", "4", "5"],
    "risk": ["taken_up", "passed_over", "safety_error"],
    "level": ["1", "2", "3", "4", "5"],
}


def slices() -> dict[str, tuple[int, int]]:
    """Where each head's outputs sit in a model's output vector."""
    found, start = {}, 0
    for head, classes in HEADS.items():
        found[head] = (start, start + len(classes))
        start += len(classes)
    return found


#: Longest input (in word pieces) the MiniLM-based representations read.
MAX_TOKENS = 64
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[?!]")
_SPACES = re.compile(r"\s\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def word_ngrams(text: str) -> list[str]:
    """Word 1-3-grams of the lower-cased text ('?' and '!' count as words)."""
    words = _WORD.findall(text.lower().translate(_QUOTES))
    grams = list(words)
    grams += [f"{a} {b}" for a, b in itertools.pairwise(words)]
    grams += [f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)]
    return grams


def char_ngrams(text: str) -> list[str]:
    """Character 2-5-grams inside word boundaries (scikit-learn's `char_wb`)."""
    grams = []
    for word in _SPACES.sub(" ", text.lower().translate(_QUOTES)).split():
        padded = f" {word} "
        for n in range(2, 6):
            if len(padded) <= n:
                grams.append(padded)
                break
            grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


def shipped(response: str, statement: str) -> list[str]:
    """The shipped scorer's features (`empathy_training.scoring.features.featurize`)."""
    from empathy_training.scoring.features import featurize

    return list(featurize(response, statement))


#: Sparse blocks: name -> (analyser, reads the statement?, tf-idf weighted?).
BLOCKS: dict[str, tuple[Callable[[str, str], list[str]], str, bool]] = {
    "word": (lambda r, s: word_ngrams(r), "response", True),
    "char": (lambda r, s: char_ngrams(r), "response", True),
    "statement_word": (lambda r, s: word_ngrams(s), "statement", True),
    "shipped_response": (lambda r, s: shipped(r, ""), "response", False),
    "shipped_pair": (shipped, "pair", False),
}


def block_keys(block: str, response: str, statement: str) -> Counter[str]:
    """The counted features of one block, keys prefixed with the block's name."""
    analyse = BLOCKS[block][0]
    return Counter(f"{block}|{g}" for g in analyse(response, statement))


def sparse_row(
    blocks: Sequence[str], counted: Sequence[Counter[str]], index: dict[str, int], idf: Array
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], Array]:
    """Column indices and values of one example: tf-idf (each block l2-normalised) or binary."""
    columns: list[int] = []
    values: list[float] = []
    for block, counts in zip(blocks, counted, strict=True):
        found = [(index[k], n) for k, n in counts.items() if k in index]
        if not found:
            continue
        if BLOCKS[block][2]:
            weights = [n * float(idf[i]) for i, n in found]
            norm = math.sqrt(sum(w * w for w in weights))
            values += [w / norm for w in weights]
        else:
            values += [1.0] * len(found)
        columns += [i for i, _ in found]
    return np.array(columns, dtype=np.int64), np.array(values, dtype=np.float32)


class Scorer:
    """An exported representation with its linear heads (or, fine-tuned, its own)."""

    def __init__(self, folder: Path, threads: int = 1) -> None:
        self.meta: dict[str, Any] = json.loads((folder / "meta.json").read_text("utf-8"))
        self.kind: str = self.meta["kind"]
        self.slices = self.meta["slices"]
        if (folder / "heads.npz").is_file():
            with np.load(folder / "heads.npz") as arrays:
                self.weights: Array = arrays["weights"].astype(np.float32)
                self.bias: Array = arrays["bias"].astype(np.float32)
        if self.kind == "sparse":
            names = json.loads((folder / "features.json").read_text("utf-8"))
            self.index = {name: i for i, name in enumerate(names)}
            with np.load(folder / "idf.npz") as arrays:
                self.idf: Array = arrays["idf"]
            return
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        if self.kind == "static":
            self.table: Array = np.load(folder / "token-vectors.npy").astype(np.float32)
            return
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.runner = ort.InferenceSession(
            str(folder / self.meta["onnx"]), options, providers=["CPUExecutionProvider"]
        )

    def _encode(self, texts: Sequence[str]) -> Array:
        """One vector per text: mean token vector (static) or mean-pooled encoder output."""
        encoded = self.tokenizer.encode_batch(list(texts))
        if self.kind == "static":
            return np.stack([self.table[e.ids[1:-1] or [0]].mean(axis=0) for e in encoded])
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, e in enumerate(encoded):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        out = self.runner.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        if self.kind == "finetuned":
            return np.asarray(out, dtype=np.float32)
        summed = (out * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return summed / np.linalg.norm(summed, axis=1, keepdims=True)

    @lru_cache(maxsize=256)  # noqa: B019 - a statement is encoded once per vignette
    def _statement(self, statement: str) -> Array:
        return self._encode([statement])[0]

    def _dense(self, vectors: Array, statements: Sequence[str]) -> Array:
        if not self.meta["pair"]:
            return vectors
        stated = np.stack([self._statement(s) for s in statements])
        return np.concatenate([vectors, stated, vectors * stated], axis=1)

    def logits(self, response: str, statement: str) -> Array:
        """Every head's outputs for one response to one statement."""
        if self.kind == "sparse":
            blocks = self.meta["blocks"]
            counted = [block_keys(b, response, statement) for b in blocks]
            columns, values = sparse_row(blocks, counted, self.index, self.idf)
            return np.asarray(values @ self.weights[columns] + self.bias, dtype=np.float32)
        return self.logits_batch([response], [statement])[0]

    def logits_batch(
        self, responses: Sequence[str], statements: Sequence[str], batch: int = 32
    ) -> Array:
        """Outputs for many responses; the transformer reads them in length-sorted batches."""
        if self.kind == "sparse":
            return np.stack([self.logits(r, s) for r, s in zip(responses, statements, strict=True)])
        order = sorted(range(len(responses)), key=lambda i: len(responses[i]))
        out = np.zeros((len(responses), self.meta["outputs"]), dtype=np.float32)
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            vectors = self._encode([responses[i] for i in chunk])
            if self.kind != "finetuned":
                vectors = self._dense(vectors, [statements[i] for i in chunk])
                vectors = vectors @ self.weights + self.bias
            out[chunk] = vectors
        return out

    def labels(self, outputs: Array) -> dict[str, list[str]]:
        """The top class of every head, per row of `outputs`."""
        found = {}
        for head, (start, stop) in self.slices.items():
            found[head] = [HEADS[head][k] for k in outputs[:, start:stop].argmax(axis=1)]
        return found


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from a parent at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure_rss(folder: Path) -> dict[str, float]:
    """Peak RSS of this process after loading the model and scoring one response."""
    scorer = Scorer(folder)
    scorer.logits("It sounds like the waiting is wearing you down.", "I can't sleep for worry.")
    return {"peak_rss_mb": _peak_rss_mb()}


def measure_time(folder: Path, inputs: Path) -> dict[str, float]:
    """Single-response latency (p50/p99, ms) and batch throughput, on one thread."""
    import statistics
    import time

    pairs = json.loads(inputs.read_text("utf-8"))
    responses, statements = [p[0] for p in pairs], [p[1] for p in pairs]
    scorer = Scorer(folder, threads=1)
    for s in sorted(set(statements)):  # statements are encoded once per vignette, as in the app
        scorer.logits(responses[0], s)
    latencies, cpu = [], []
    for response, statement in pairs[:300]:
        start, cpu_start = time.perf_counter(), time.thread_time()
        scorer.logits(response, statement)
        latencies.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - cpu_start) * 1000)
    latencies.sort()
    cpu.sort()
    rates, cpu_rates = [], []
    for _ in range(3):
        start, cpu_start = time.perf_counter(), time.process_time()
        scorer.logits_batch(responses, statements)
        rates.append(len(pairs) / (time.perf_counter() - start))
        cpu_rates.append(len(pairs) / (time.process_time() - cpu_start))
    return {
        "latency_p50_ms": round(latencies[len(latencies) // 2], 3),
        "latency_p99_ms": round(latencies[int(0.99 * len(latencies))], 3),
        "cpu_p50_ms": round(cpu[len(cpu) // 2], 3),
        "cpu_p99_ms": round(cpu[int(0.99 * len(cpu))], 3),
        "batch_responses_per_second": round(statistics.median(rates)),
        "batch_responses_per_cpu_second": round(statistics.median(cpu_rates)),
        "batch_size": len(pairs),
    }


if __name__ == "__main__":
    if sys.argv[1] == "rss":
        print(json.dumps(measure_rss(Path(sys.argv[2]))))
    else:
        print(json.dumps(measure_time(Path(sys.argv[2]), Path(sys.argv[3]))))
