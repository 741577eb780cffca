"""The scorer's second model: one hidden layer over the same features, for reflection depth,
roadblock present and risk handling, with behaviour learned beside them. Used by
`train_scorer.py`.

The hidden layer lets words work together ("you're" with a feeling the client did not name),
which the logistic regressions cannot; the scorer averages the two models' probabilities for
the heads in `classifiers.AVERAGED_HEADS`. A row has the labels
it has: each head's loss is over the rows labelled for it (a response to a risk statement
teaches only `risk_handling`, a corpus row without a cue all but that). Trained
with torch (training only: the scorer runs it with numpy), one thread and fixed seeds, so the
same data gives the same weights. Settings chosen by five folds by writer (see the model card).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

#: Hidden units, epochs, dropout, learning rate, batch size.
HIDDEN = 64
EPOCHS = 6
DROPOUT = 0.5
LEARNING_RATE = 2e-3
BATCH = 64
SEED = 0
#: The heads, in output order: softmax classes, or None for a binary head.
MLP_HEADS: dict[str, list[str] | None] = {
    "depth": ["none", "simple", "complex"],
    "any_roadblock": None,
    "behaviour": ["reflection", "question", "input", "other"],
    "risk_handling": ["taken_up", "passed_over", "safety_error"],
}


def _layout() -> tuple[dict[str, dict[str, Any]], int]:
    """Each head's place among the outputs, and how many outputs there are."""
    layout, start = {}, 0
    for head, labels in MLP_HEADS.items():
        if labels is None:
            layout[head] = {"kind": "sigmoid", "start": start}
            start += 1
        else:
            layout[head] = {"kind": "softmax", "start": start, "labels": labels}
            start += len(labels)
    return layout, start


def fit_mlp(
    features: Sequence[Sequence[int]], labels: Sequence[dict[str, Any]], n_features: int
) -> dict[str, Any]:
    """Fit the hidden layer and its heads on rows of feature indices with their labels (a head's
    label is None, or missing, where it does not apply).

    Returns float arrays (`hidden` n_features x HIDDEN, `hidden_bias`, `output`, `output_bias`)
    and the heads' layout.
    """
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    layout, width = _layout()

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = torch.nn.EmbeddingBag(n_features, HIDDEN, mode="sum")
            self.bias = torch.nn.Parameter(torch.zeros(HIDDEN))
            self.drop = torch.nn.Dropout(DROPOUT)
            self.out = torch.nn.Linear(HIDDEN, width)
            torch.nn.init.normal_(self.hidden.weight, std=0.02)

        def forward(self, index: Any, offsets: Any) -> Any:
            return self.out(self.drop(torch.relu(self.hidden(index, offsets) + self.bias)))

    targets, losses, masks = {}, {}, {}
    for head, classes in MLP_HEADS.items():
        known = np.array([row.get(head) is not None for row in labels])
        masks[head] = torch.tensor(known.astype(np.float32))
        if classes is None:
            y = np.array([float(row.get(head) or 0) for row in labels], dtype=np.float32)
            positive = max(1.0, float(y[known].sum()))
            weight = torch.tensor((known.sum() - positive) / positive)
            losses[head] = torch.nn.BCEWithLogitsLoss(pos_weight=weight, reduction="none")
            targets[head] = torch.tensor(y)
        else:
            y_int = np.array(
                [classes.index(str(row[head])) if known[i] else 0 for i, row in enumerate(labels)]
            )
            counts = np.maximum(np.bincount(y_int[known], minlength=len(classes)), 1)
            balanced = torch.tensor(known.sum() / (len(classes) * counts), dtype=torch.float32)
            losses[head] = torch.nn.CrossEntropyLoss(weight=balanced, reduction="none")
            targets[head] = torch.tensor(y_int)
    net = Net()
    optimiser = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE, weight_decay=1e-5)
    order = list(range(len(features)))
    for _ in range(EPOCHS):
        net.train()
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            offsets, flat = [], []
            for i in chunk:
                offsets.append(len(flat))
                flat.extend(features[i])
            out = net(torch.tensor(flat, dtype=torch.long), torch.tensor(offsets))
            picked = torch.tensor(chunk)
            loss = torch.zeros(())
            for head, spec in layout.items():
                mask = masks[head][picked]
                if float(mask.sum()) == 0:
                    continue  # no row of this batch is labelled for the head
                first = spec["start"]
                if spec["kind"] == "sigmoid":
                    logits = out[:, first]
                else:
                    logits = out[:, first : first + len(spec["labels"])]
                each = losses[head](logits, targets[head][picked])
                loss = loss + (each * mask).sum() / mask.sum()
            optimiser.zero_grad()
            loss.backward()  # type: ignore[union-attr]
            optimiser.step()
    return {
        "hidden": net.hidden.weight.detach().numpy(),
        "hidden_bias": net.bias.detach().numpy(),
        "output": net.out.weight.detach().numpy().T.copy(),
        "output_bias": net.out.bias.detach().numpy(),
        "heads": layout,
    }
