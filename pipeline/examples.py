"""Example analyst queries, shown by ``brandpulse demo`` and ``brandpulse query --help``."""

from __future__ import annotations

EXAMPLE_QUERIES = (
    "select brand, day, posts, negative_share, complaints from brand_daily order by 1, 2",
    "select brand, hour, posts, complaints, complaint_share from brand_hourly "
    "order by complaints desc limit 10",
)
