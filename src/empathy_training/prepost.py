"""Pre/post change for trainees tested twice: change per trainee, cohort change, effect size."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .agreement import percentile_interval

#: Bootstrap resamples for the confidence intervals.
BOOTSTRAP_RESAMPLES = 2000
#: Coverage of the confidence intervals.
CONFIDENCE_LEVEL = 0.95
#: Columns of `PrePostResult.per_trainee`.
PER_TRAINEE_COLUMNS = ("trainee", "pre", "post", "change", "n_pre", "n_post")
#: Below this many pairs the result carries a note that intervals are rough.
FEW_PAIRS = 10


@dataclass(frozen=True)
class PrePostResult:
    """Change from a pre-test to a post-test for the trainees who took both."""

    per_trainee: pd.DataFrame = field(repr=False, hash=False, compare=False)
    """PER_TRAINEE_COLUMNS: mean level before and after, the change, responses on each."""
    n_paired: int
    """Trainees found on both occasions."""
    mean_pre: float
    """Cohort mean of the trainees' pre-test means."""
    mean_post: float
    """Cohort mean of the trainees' post-test means."""
    mean_change: float
    """Cohort mean of the per-trainee change (post minus pre)."""
    change_ci: tuple[float, float]
    """Percentile bootstrap interval of the mean change, resampling trainees."""
    sd_change: float
    """Standard deviation of the per-trainee change (n - 1 in the denominator)."""
    d_z: float
    """Cohen's d_z for paired data: mean change / sd of change."""
    g_z: float
    """d_z with Hedges' small-sample correction, J = 1 - 3 / (4 (n - 1) - 1)."""
    d_z_ci: tuple[float, float]
    """Percentile bootstrap interval of d_z, resampling trainees."""
    level: float
    """Coverage of the intervals."""
    unmatched_pre: tuple[str, ...]
    """Trainees found only in the pre-test."""
    unmatched_post: tuple[str, ...]
    """Trainees found only in the post-test."""
    notes: tuple[str, ...] = ()
    """Why a figure is missing or should be read with care."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of JSON types (NaN as None), per-trainee rows included."""
        return {
            "n_paired": self.n_paired,
            "mean_pre": _number(self.mean_pre),
            "mean_post": _number(self.mean_post),
            "mean_change": _number(self.mean_change),
            "change_ci": [_number(x) for x in self.change_ci],
            "sd_change": _number(self.sd_change),
            "d_z": _number(self.d_z),
            "g_z": _number(self.g_z),
            "d_z_ci": [_number(x) for x in self.d_z_ci],
            "level": self.level,
            "unmatched_pre": list(self.unmatched_pre),
            "unmatched_post": list(self.unmatched_post),
            "notes": list(self.notes),
            "per_trainee": [
                {k: _number(v) if isinstance(v, float) else v for k, v in row.items()}
                for row in self.per_trainee.to_dict("records")
            ],
        }

    def summary(self) -> str:
        """One or two sentences for a supervisor."""
        if self.n_paired == 0:
            return "No trainee was found on both occasions, so there is no change to report."
        lo, hi = self.d_z_ci
        effect = (
            f"effect size d_z {self.d_z:.2f} (Hedges-corrected {self.g_z:.2f}; "
            f"{self.level:.0%} CI {lo:.2f} to {hi:.2f})"
            if math.isfinite(self.d_z)
            else "effect size undefined"
        )
        c_lo, c_hi = self.change_ci
        change = f"{self.mean_change:+.2f}" + (
            f" ({self.level:.0%} CI {c_lo:+.2f} to {c_hi:+.2f})" if math.isfinite(c_lo) else ""
        )
        return (
            f"{self.n_paired} trainee{'s' if self.n_paired != 1 else ''} on both occasions: mean "
            f"level {self.mean_pre:.2f} before, {self.mean_post:.2f} after, change {change}; "
            f"{effect}."
        )


def normalise_name(name: object) -> str:
    """A trainee's name as matched across occasions: trimmed, spaces collapsed, case folded."""
    return " ".join(str(name).split()).casefold()


def prepost(
    pre: pd.DataFrame,
    post: pd.DataFrame,
    *,
    trainee: str = "trainee",
    level: str = "hrq_level",
    n_boot: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    confidence: float = CONFIDENCE_LEVEL,
) -> PrePostResult:
    """Compare two test occasions of the same trainees.

    Each table has one row per response, with a `trainee` column (names are matched after
    `normalise_name`) and a `level` column (rows without a level are left out). A trainee's
    score on an occasion is the mean level of their responses; the change is post minus pre.
    Intervals are percentile bootstrap intervals over trainees with a fixed `seed`.
    """
    before = _means(pre, trainee, level, "pre")
    after = _means(post, trainee, level, "post")
    paired = before.merge(after, on="key", how="inner", suffixes=("_pre", "_post"))
    paired = paired.assign(change=paired["post"] - paired["pre"]).sort_values(
        "trainee_pre", key=lambda s: s.map(normalise_name)
    )
    per_trainee = pd.DataFrame(
        {
            "trainee": paired["trainee_pre"].to_numpy(),
            "pre": paired["pre"].to_numpy(dtype=float),
            "post": paired["post"].to_numpy(dtype=float),
            "change": paired["change"].to_numpy(dtype=float),
            "n_pre": paired["n_pre"].to_numpy(dtype=int),
            "n_post": paired["n_post"].to_numpy(dtype=int),
        },
        columns=list(PER_TRAINEE_COLUMNS),
    ).reset_index(drop=True)
    unmatched_pre = tuple(sorted(before.loc[~before["key"].isin(after["key"]), "trainee"]))
    unmatched_post = tuple(sorted(after.loc[~after["key"].isin(before["key"]), "trainee"]))
    change = per_trainee["change"].to_numpy(dtype=float)
    n = len(change)
    notes: list[str] = []
    nan = math.nan
    mean_change = float(change.mean()) if n else nan
    sd = float(change.std(ddof=1)) if n >= 2 else nan
    d_z = g_z = nan
    if n < 2:
        notes.append("Fewer than 2 trainees on both occasions: no effect size or interval.")
    elif not sd > 1e-12:
        notes.append("Every trainee changed by the same amount: d_z is undefined (sd 0).")
    else:
        d_z = mean_change / sd
        g_z = d_z * _hedges_j(n)
    change_ci = d_z_ci = (nan, nan)
    if n >= 2:
        samples = change[np.random.default_rng(seed).integers(0, n, size=(n_boot, n))]
        means = samples.mean(axis=1)
        sds = samples.std(axis=1, ddof=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ds = np.where(sds > 1e-12, means / sds, np.nan)
        change_ci = percentile_interval(means, confidence)
        if math.isfinite(d_z):
            d_z_ci = percentile_interval(ds, confidence)
        if n < FEW_PAIRS:
            notes.append(f"Only {n} trainees on both occasions: the intervals are rough.")
    if unmatched_pre or unmatched_post:
        notes.append(
            f"{len(unmatched_pre)} trainee(s) only before and {len(unmatched_post)} only after "
            "were left out."
        )
    return PrePostResult(
        per_trainee=per_trainee,
        n_paired=n,
        mean_pre=float(per_trainee["pre"].mean()) if n else nan,
        mean_post=float(per_trainee["post"].mean()) if n else nan,
        mean_change=mean_change,
        change_ci=change_ci,
        sd_change=sd,
        d_z=d_z,
        g_z=g_z,
        d_z_ci=d_z_ci,
        level=confidence,
        unmatched_pre=unmatched_pre,
        unmatched_post=unmatched_post,
        notes=tuple(notes),
    )


def prepost_chart(result: PrePostResult) -> bytes:
    """PNG: each trainee's mean level before and after, joined by a line; the cohort mean bold."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.5, 4), dpi=100, layout="constrained")
    axis = figure.subplots()
    table = result.per_trainee
    if table.empty:
        axis.set_axis_off()
        axis.text(0.5, 0.5, "No trainee on both occasions", ha="center", fontsize=13)
    else:
        spread = np.linspace(-0.06, 0.06, len(table)) if len(table) > 1 else np.zeros(1)
        pre = table["pre"].to_numpy(dtype=float)
        post = table["post"].to_numpy(dtype=float)
        for offset, before, after in zip(spread, pre, post, strict=True):
            colour = "#2f7d4f" if after > before else "#a8322d" if after < before else "#8a8f98"
            axis.plot(
                [offset, 1 + offset],
                [before, after],
                color=colour,
                alpha=0.55,
                marker="o",
                lw=1.2,
            )
        axis.plot(
            [0, 1],
            [result.mean_pre, result.mean_post],
            color="#1f2a44",
            lw=3.2,
            marker="s",
            markersize=8,
            label=f"cohort mean (change {result.mean_change:+.2f})",
        )
        axis.set_xticks([0, 1], ["pre", "post"])
        axis.set_xlim(-0.3, 1.3)
        axis.set_ylim(0.8, 5.2)
        axis.set_yticks([1, 2, 3, 4, 5])
        axis.set_ylabel("mean reflective-listening level")
        title = f"{result.n_paired} trainees"
        if math.isfinite(result.d_z):
            title += f", d_z = {result.d_z:.2f}"
        axis.set_title(title)
        axis.legend(loc="lower right", fontsize=9)
        axis.grid(axis="y", alpha=0.3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


# --- internals ---------------------------------------------------------------------------


def _means(table: pd.DataFrame, trainee: str, level: str, occasion: str) -> pd.DataFrame:
    """Per trainee: the first spelling of the name, the mean level, the number of responses."""
    missing = [c for c in (trainee, level) if c not in table.columns]
    if missing:
        raise ValueError(f"The {occasion}-test table lacks the column(s): {', '.join(missing)}.")
    levels = pd.to_numeric(table[level], errors="coerce")
    names = table[trainee]
    usable = pd.DataFrame({"trainee": names, "level": levels})
    usable = usable[usable["level"].notna() & usable["trainee"].notna()]
    usable = usable.assign(
        trainee=usable["trainee"].astype(str).str.strip(),
        key=usable["trainee"].map(normalise_name),
    )
    usable = usable[usable["key"] != ""]
    grouped = usable.groupby("key", sort=True)
    return pd.DataFrame(
        {
            "key": list(grouped.groups),
            "trainee": grouped["trainee"].first().to_numpy(),
            occasion: grouped["level"].mean().to_numpy(dtype=float),
            f"n_{occasion}": grouped["level"].size().to_numpy(dtype=int),
        }
    )


def _hedges_j(n: int) -> float:
    """Hedges' small-sample correction for an effect size with n - 1 degrees of freedom."""
    df = n - 1
    return 1.0 - 3.0 / (4.0 * df - 1.0) if df > 0.75 else math.nan


def _number(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
