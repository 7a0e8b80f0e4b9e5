"""The per-record load path as it was before the columnar one (commit 561db2e's
``loading.score_batch``): one ``Post`` per record through the source's ``to_post``,
:func:`~pipeline.posts.normalize.normalize_batch`, :func:`~pipeline.posts.normalize.classify`
and the frames built from them. Kept here as the reference the columnar path must equal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from pipeline import timeutil
from pipeline.config.model import BrandConfig
from pipeline.ingest import landing
from pipeline.ingest.sources.registry import get_parser
from pipeline.posts import quality
from pipeline.posts.normalize import classify, normalize_batch
from pipeline.scoring import routing
from pipeline.scoring.scorer import Scorer
from pipeline.steps.loading import ScoredBatch, time_bounds
from pipeline.warehouse.loads import POST_COLUMNS, QUARANTINE_COLUMNS


def score_batch_rowwise(
    batch: landing.Batch,
    brand: BrandConfig,
    scorer: Scorer,
    records: Sequence[object] | None = None,
    *,
    as_of: datetime | None = None,
) -> ScoredBatch:
    if records is None:
        records = list(landing.read_batch(batch))
    index = quality.RecordIndex(get_parser(batch.source), records)
    bounds = time_bounds(batch, brand, as_of)
    normalized = normalize_batch(
        index.to_post, brand, records, batch.start, batch.end, plausible=bounds.reason
    )
    posts = normalized.posts
    texts = [p.text for p in posts]
    skip = [p.is_brand_reply or bool(p.repost_of) for p in posts]
    routed = routing.route(brand, texts, [p.lang for p in posts], scorer, skip)
    scores = [r.score for r in routed]
    classes = classify(posts, [scorer.is_spam(t) for t in texts])
    tz = brand.tz
    columns: dict[str, list[Any]] = {
        "source": [p.source for p in posts],
        "post_id": [p.post_id for p in posts],
        "brand": [p.brand for p in posts],
        "created_at": [timeutil.naive_utc(p.created_at) for p in posts],
        "brand_day": [p.created_at.astimezone(tz).date() for p in posts],
        "author_id": [p.author_id for p in posts],
        "author_handle": [p.author_handle for p in posts],
        "author_followers": [p.author_followers for p in posts],
        "text": texts,
        "lang": [p.lang for p in posts],
        "url": [p.url for p in posts],
        "conversation_id": [p.conversation_id for p in posts],
        "in_reply_to_post_id": [p.in_reply_to_post_id for p in posts],
        "in_reply_to_author_id": [p.in_reply_to_author_id for p in posts],
        "repost_of": [p.repost_of for p in posts],
        "is_brand_reply": [p.is_brand_reply for p in posts],
        "kind": [c.kind.value for c in classes],
        "duplicate_of": [c.duplicate_of for c in classes],
        "text_fingerprint": [c.fingerprint for c in classes],
        "compound": [s.compound if s else None for s in scores],
        "pos": [s.pos if s else None for s in scores],
        "neu": [s.neu if s else None for s in scores],
        "neg": [s.neg if s else None for s in scores],
        "sentiment": [s.sentiment.value if s else None for s in scores],
        "is_complaint": [s.is_complaint if s else None for s in scores],
        "complaint_score": [s.complaint_score if s else None for s in scores],
        "complaint_category": [s.complaint_category if s else None for s in scores],
        "model_version": [r.model_version for r in routed],
        "copy_candidate": [c.copy_candidate for c in classes],
        "sentiment_compound": [s.sentiment_compound if s else None for s in scores],
        "text_lang": [r.text_lang for r in routed],
        "unscored_reason": [r.unscored_reason for r in routed],
        "learned_complaint_score": [s.learned_complaint_score if s else None for s in scores],
    }
    posts_frame = pd.DataFrame(columns, columns=list(POST_COLUMNS))
    if len(posts_frame):
        posts_frame = posts_frame.astype(
            {"created_at": "datetime64[us]", "author_followers": "int64"}
        )
    quarantine = pd.DataFrame(
        {
            "record_no": [r.record_no for r in normalized.rejected],
            "post_id": pd.Series([r.post_id for r in normalized.rejected], dtype="object"),
            "reason": [r.reason for r in normalized.rejected],
            "raw": [r.raw for r in normalized.rejected],
            "created_at": pd.Series(
                [
                    timeutil.naive_utc(r.created_at) if r.created_at is not None else None
                    for r in normalized.rejected
                ],
                dtype="datetime64[us]",
            ),
        },
        columns=list(QUARANTINE_COLUMNS),
    )
    return ScoredBatch(
        batch=batch,
        posts=posts_frame,
        quarantine=quarantine,
        record_nos=index.record_nos(normalized),
        fetched=normalized.fetched,
        duplicates=normalized.duplicates,
        model_version=scorer.model_version,
        duplicate_times=tuple(timeutil.naive_utc(t) for t in normalized.duplicate_times),
    )
