"""The land step: fetch one source for one brand over ``[start, end)`` into the landing zone."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from pipeline.errors import ConfigError
from pipeline.ingest import landing, storage
from pipeline.ingest.fetching import FetchPolicy, land_paged
from pipeline.ingest.sources.registry import get_source
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings
from pipeline.steps.brands import brands_for
from pipeline.timeutil import check_interval

log = logging.getLogger(__name__)


def land(
    source_name: str,
    brand_id: str,
    start: datetime,
    end: datetime,
    settings: Settings | None = None,
    *,
    secrets: SecretLookup | None = None,
    policy: FetchPolicy | None = None,
    attempt: str | None = None,
) -> landing.Batch:
    """Fetch ``[start, end)`` of one source for one brand into the landing zone.

    ``attempt``: see :func:`pipeline.ingest.fetching.land_paged` (a retried task that had landed
    this interval already does not fetch it again).

    With the source option ``lag_minutes``, the window is shifted back by that much:
    ``[start - lag, end - lag)``, fetched ``lag`` after it closed, so that posts the
    provider indexes late are in it. Consecutive runs' windows still tile time exactly, so
    every post belongs to one load, whatever order loads run in.
    """
    settings = settings or Settings.from_env()
    start, end = check_interval(start, end)
    brand = brands_for(settings).get(brand_id)
    src_config = brand.source(source_name)
    if src_config is None:
        raise ConfigError(
            f"{settings.brands_file.name}: brand '{brand_id}', field 'sources.{source_name}': "
            "source not enabled"
        )
    source = get_source(source_name, secrets)
    lag = timedelta(minutes=float(src_config.options.get("lag_minutes", 0)))
    fetch_start, fetch_end = start - lag, end - lag
    batch, stats = land_paged(
        storage.landing_root(settings),
        source,
        brand,
        start=fetch_start,
        end=fetch_end,
        options=src_config.options,
        policy=policy,
        attempt=attempt,
    )
    if stats.reused:
        return batch
    log.info(
        "landed %d records in %d pages (resumed after page %d, %d retries, %d rate-limit "
        "waits): source=%s brand=%s interval=[%s, %s) file=%s",
        batch.records, stats.pages, stats.resumed_from_page, stats.retries,
        stats.rate_limit_waits, source_name, brand_id, fetch_start.isoformat(),
        fetch_end.isoformat(), batch.location,
    )  # fmt: skip
    return batch
