"""The alert chart: drawn in the brand's local time (the zone changes the picture), with
the expected value and its band, the same bytes for the same data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.notify import charts

T = datetime(2026, 10, 20, tzinfo=UTC)
HOURS = [T + timedelta(hours=h) for h in range(72)]
VALUES: list[float | None] = [float(3 + h % 24 // 4) for h in range(72)]
VALUES[60] = 40.0


def draw(tz: str, *, band: bool = True) -> bytes:
    expected: list[float | None] = [3.0 + h % 24 // 4 for h in range(72)]
    return charts.incident_chart(
        HOURS, VALUES, expected=expected,
        low=[max(e - 3, 0) if band and e is not None else None for e in expected],
        high=[e + 6 if band and e is not None else None for e in expected],
        marked=[HOURS[60]], tz=ZoneInfo(tz), title="Acme: complaints per hour",
        ylabel="complaints per hour", bars=True,
    )  # fmt: skip


def test_the_chart_is_a_png_drawn_in_the_brand_s_time_zone() -> None:
    utc, berlin = draw("UTC"), draw("Europe/Berlin")
    assert utc[:8] == b"\x89PNG\r\n\x1a\n"
    assert draw("Europe/Berlin") == berlin  # deterministic: no timestamp in the file
    assert utc != berlin  # the axis (and its label naming the zone) follow the brand
    assert draw("Europe/Berlin", band=False) != berlin  # the band is drawn
