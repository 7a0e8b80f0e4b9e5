"""A scored batch's frames, built from columns: the warehouse's post rows and quarantine rows.

:func:`pipeline.steps.loading.score_batch` normalizes and classifies in columns
(:mod:`pipeline.posts.columns`) and scores the texts; this puts the pieces into the frames
:func:`pipeline.warehouse.loads.replace_interval` writes, one list per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

import numpy as np
import pandas as pd

from pipeline import timeutil
from pipeline.posts.columns import Classes, PostColumns
from pipeline.posts.normalize import Rejected
from pipeline.scoring.routing import Routed
from pipeline.warehouse import loads


def brand_days(created_us: np.ndarray[Any, Any], tz: tzinfo) -> list[Any]:
    """The brand's local date of each UTC time (microseconds since the epoch)."""
    stamps = pd.DatetimeIndex(created_us.astype("datetime64[us]")).tz_localize("UTC")
    return list(stamps.tz_convert(tz).date)


def posts_frame(
    posts: PostColumns,
    classes: Classes,
    routed: Sequence[Routed],
    tz: tzinfo,
) -> pd.DataFrame:
    """The warehouse's post columns (:data:`pipeline.warehouse.loads.POST_COLUMNS`); an
    unscored post (another language) has its score columns null."""
    size = len(posts)
    scores = [r.score for r in routed]
    columns: dict[str, Any] = {
        "source": [posts.source] * size,
        "post_id": posts.post_id,
        "brand": [posts.brand] * size,
        "created_at": posts.created_us.astype("datetime64[us]"),
        "brand_day": brand_days(posts.created_us, tz),
        "author_id": posts.author_id,
        "author_handle": posts.author_handle,
        "author_followers": np.array(posts.author_followers, dtype=np.int64),
        "text": posts.text,
        "lang": posts.lang,
        "url": posts.url,
        "conversation_id": posts.conversation_id,
        "in_reply_to_post_id": posts.in_reply_to_post_id,
        "in_reply_to_author_id": posts.in_reply_to_author_id,
        "repost_of": posts.repost_of,
        "is_brand_reply": posts.is_brand_reply,
        "kind": classes.kind,
        "duplicate_of": classes.duplicate_of,
        "text_fingerprint": classes.fingerprint,
        "compound": [s.compound if s else None for s in scores],
        "pos": [s.pos if s else None for s in scores],
        "neu": [s.neu if s else None for s in scores],
        "neg": [s.neg if s else None for s in scores],
        "sentiment": [s.sentiment.value if s else None for s in scores],
        "is_complaint": [s.is_complaint if s else None for s in scores],
        "complaint_score": [s.complaint_score if s else None for s in scores],
        "complaint_category": [s.complaint_category if s else None for s in scores],
        "model_version": [r.model_version for r in routed],
        "copy_candidate": classes.copy_candidate,
        "sentiment_compound": [s.sentiment_compound if s else None for s in scores],
        "text_lang": [r.text_lang for r in routed],
        "unscored_reason": [r.unscored_reason for r in routed],
        "learned_complaint_score": [s.learned_complaint_score if s else None for s in scores],
    }
    if not size:  # no rows: every column untyped, as an empty load has always written
        columns = {name: [] for name in columns}
    return pd.DataFrame(columns, columns=list(loads.POST_COLUMNS))


def _naive_or_none(moment: datetime | None) -> datetime | None:
    return timeutil.naive_utc(moment) if moment is not None else None


def quarantine_frame(rejected: Sequence[Rejected]) -> pd.DataFrame:
    """The quarantine rows of the records that could not become posts, in record order."""
    return pd.DataFrame(
        {
            "record_no": [r.record_no for r in rejected],
            "post_id": pd.Series([r.post_id for r in rejected], dtype="object"),
            "reason": [r.reason for r in rejected],
            "raw": [r.raw for r in rejected],
            "created_at": pd.Series(
                [_naive_or_none(r.created_at) for r in rejected], dtype="datetime64[us]"
            ),
        },
        columns=list(loads.QUARANTINE_COLUMNS),
    )
