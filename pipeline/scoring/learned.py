"""The learned complaint stage: a sentence encoder and a logistic head, after the cues.

The cue detector (:mod:`pipeline.scoring.scorer`) is precise on real posts but misses plain
problem reports with no complaint words. This stage can only **add** complaints the cues
missed, never remove one, and only where the cues were unsure:

- it runs on a post whose cue score is in the band ``[low, min(high, threshold))`` (``low``
  0.10 and ``high`` 0.5 from the head file, the band it was cross-validated on;
  ``threshold`` the brand's complaint threshold): below ``low`` the cues saw nothing of a
  complaint, at or above the threshold the post is a complaint already, and a brand that
  raised its threshold keeps the posts between 0.5 and it as the cues judge them;
- the post's text is embedded (:mod:`pipeline.scoring.encoder`, all-MiniLM-L6-v2 int8,
  onnxruntime, no torch) and a logistic head gives ``learned_complaint_score``;
- a score at or above the head's ``bar`` makes the post a complaint. The bar was chosen in
  grouped cross-validation on the project's own labelled set for a precision of the added
  complaints of at least ``target_precision`` (docs/scoring.md, "The learned stage").

The cues still give the category of an added complaint (:meth:`Scorer.category`) and the
cue score stays as it was; the learned score is stored next to it (``posts.
learned_complaint_score``, NULL where the stage did not run). The stage is batched: the load
hands it a batch's texts at once, and each distinct text is embedded once.

Files (``models/``): ``complaints/learned_head.json`` (weights, bias, band, bar, the sha256
of the encoder's files) and ``encoder/`` (the model; its README says where it comes from).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from pipeline.errors import ConfigError
from pipeline.scoring.encoder import SentenceEncoder

if TYPE_CHECKING:
    from pipeline.config.model import BrandConfig

HEAD_FILE: Final = "complaints/learned_head.json"
ENCODER_DIR: Final = "encoder"

#: Whether a brand without ``overrides.learned_complaints`` runs the stage (and the default
#: scorer of ``brandpulse score`` and ``eval``). Off: scored once on the public complaints
#: corpus (evaluation only), head 2 raised complaint F1 0.735 -> 0.759 and macro-F1 0.800 ->
#: 0.813, at about four times the CPU a post (docs/scoring.md, "The learned complaint
#: stage"): a brand turns it on where the recall is worth the cost.
LEARNED_BY_DEFAULT: Final = False


def enabled_for(brand: BrandConfig | None) -> bool:
    """Whether the stage runs for ``brand`` (None: the default scorer)."""
    if brand is None or brand.overrides is None:
        return LEARNED_BY_DEFAULT
    value = brand.overrides.get("learned_complaints")
    return LEARNED_BY_DEFAULT if value is None else bool(value)


@dataclass(frozen=True)
class Head:
    """The logistic head and the rule (``models/complaints/learned_head.json``)."""

    version: int
    weights: np.ndarray[Any, np.dtype[np.float64]]
    bias: float
    low: float
    high: float
    bar: float
    encoder_sha256: dict[str, str]


def read_head(path: Path) -> Head:
    """The head file, checked; a clear one-line error naming the file otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: head file of the learned complaint stage is missing; restore it from "
            "the repository (git checkout -- models/complaints)"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: head file is corrupt (not JSON: {exc})") from None
    try:
        weights = np.asarray(data["weights"], dtype=np.float64)
        head = Head(
            version=int(data["version"]),
            weights=weights,
            bias=float(data["bias"]),
            low=float(data["band"]["low"]),
            high=float(data["band"]["high"]),
            bar=float(data["bar"]),
            encoder_sha256={str(k): str(v) for k, v in data["encoder"]["sha256"].items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: head file is corrupt (field {exc})") from None
    if weights.ndim != 1 or not np.isfinite(weights).all() or not 0 <= head.low < head.high <= 1:
        raise ConfigError(f"{path}: head file is corrupt (weights or band out of range)")
    return head


def in_band(cue_score: float, low: float, threshold: float) -> bool:
    """Whether the stage may change a post with this cue score: ``low <= cue < threshold``."""
    return low <= cue_score < threshold


class LearnedStage:
    """The encoder and the head of one models folder (built once per process)."""

    def __init__(self, models_dir: Path) -> None:
        self.head = read_head(models_dir / HEAD_FILE)
        self.encoder = SentenceEncoder(
            models_dir / ENCODER_DIR, sha256=self.head.encoder_sha256, threads=1
        )
        if self.encoder.dim != len(self.head.weights):
            raise ConfigError(
                f"{models_dir / HEAD_FILE}: {len(self.head.weights)} weights for an encoder "
                f"of {self.encoder.dim} dimensions; the head and models/encoder do not match"
            )
        self.version = self.head.version

    def learned_scores(self, texts: Sequence[str]) -> list[float]:
        """The head's probability for each text (4 decimals, as the cue score)."""
        vectors = self.encoder.encode(texts).astype(np.float64)
        logits = vectors @ self.head.weights + self.head.bias
        return [round(1.0 / (1.0 + math.exp(-float(z))), 4) for z in logits]

    def judge(
        self,
        texts: Sequence[str],
        cue_scores: Sequence[float],
        threshold: float,
        skip: Sequence[bool] | None = None,
    ) -> dict[int, float]:
        """The learned score of each post in the band (index -> score): a cue score in
        ``[low, min(high, threshold))`` and not ``skip`` (the brand's own replies, reposts). Each
        distinct text is embedded once; a post's score does not depend on the rest of the
        batch. A score at or above ``head.bar`` makes the post a complaint
        (:meth:`pipeline.scoring.scorer.Scorer.refine` applies it)."""
        low, high = self.head.low, min(self.head.high, threshold)
        chosen = [
            i
            for i, cue in enumerate(cue_scores)
            if in_band(cue, low, high) and not (skip and skip[i])
        ]
        if not chosen:
            return {}
        distinct = list(dict.fromkeys(texts[i] for i in chosen))
        learned = dict(zip(distinct, self.learned_scores(distinct), strict=True))
        return {i: learned[texts[i]] for i in chosen}


_stages: dict[Path, LearnedStage] = {}
_lock = threading.Lock()


def stage_for(models_dir: Path) -> LearnedStage:
    """The process's stage for ``models_dir`` (loaded on first use; about 0.3 s)."""
    with _lock:
        stage = _stages.get(models_dir)
        if stage is None:
            stage = LearnedStage(models_dir)
            _stages[models_dir] = stage
    return stage
