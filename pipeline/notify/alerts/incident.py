"""Incidents: the spikes of one brand's metrics that belong to one event, alerted as one.

The detector stores one spike per metric (``spikes``). One outage raises complaints, the share
of negative posts and the volume together, hours apart: those spikes are one incident, told
in one email thread. Spikes of a brand whose flagged hours overlap or touch (the next one
starts at most :data:`ADJACENT` after the last flagged hour of another) are one incident,
transitively.

An incident is alerted when one of its spikes is of a metric the brand alerts on, at or
above its ``min_severity``; its severity is the highest of those. Volume spikes join an
incident as context (the email shows them) without making one on their own, unless the
brand alerts on volume.

The incident's ledger key (``alerts.spike_id``) is its *lead* spike: the earliest alerted
spike (ties in the order of :data:`~pipeline.detect.options.METRICS`). A spike that joins
later never changes an earlier start, because detection is causal; an incident whose
ledger already names one of its spikes keeps that key (see :func:`thread_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from pipeline.detect.options import METRICS
from pipeline.detect.store import Spike, spikes_in_scope
from pipeline.notify.alerts.options import SEVERITY_RANK, AlertConfig
from pipeline.timeutil import HOUR

#: Spikes this close (after the last flagged hour of one, the first of the next) are one
#: incident: an outage's metrics peak hours apart, and one quiet hour does not end it.
ADJACENT = HOUR
#: How far back spikes are looked up to complete an incident whose later spikes are in scope.
LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Incident:
    """The spikes of one brand that form one event (see the module docstring)."""

    spikes: tuple[Spike, ...]  # by start, then metric order
    lead: Spike  # the earliest alerted spike: its id keys the ledger
    severity: str  # the highest severity of its alerted spikes

    @property
    def brand(self) -> str:
        return self.lead.brand

    @property
    def started_at(self) -> datetime:
        return min(s.started_at for s in self.spikes)

    @property
    def last_hour(self) -> datetime:
        return max(s.last_hour for s in self.spikes)

    @property
    def ended_at(self) -> datetime | None:
        """When the last of its spikes ended; None while any is ongoing."""
        if any(s.ended_at is None for s in self.spikes):
            return None
        return max(s.ended_at for s in self.spikes if s.ended_at is not None)

    @property
    def metrics(self) -> tuple[str, ...]:
        """Its metrics, in the order of :data:`METRICS`."""
        return tuple(m for m in METRICS if any(s.metric == m for s in self.spikes))

    @property
    def spike_ids(self) -> tuple[str, ...]:
        return tuple(s.spike_id for s in self.spikes)


def _order(spike: Spike) -> tuple[datetime, int]:
    return spike.started_at, METRICS.index(spike.metric)


def group_spikes(spikes: Iterable[Spike]) -> list[list[Spike]]:
    """Spikes of one brand in groups whose flagged hours overlap or touch, transitively."""
    groups: list[list[Spike]] = []
    reach: datetime | None = None
    for spike in sorted(spikes, key=_order):
        if groups and reach is not None and spike.started_at <= reach:
            groups[-1].append(spike)
        else:
            groups.append([spike])
            reach = None
        end = spike.last_hour + HOUR + ADJACENT
        reach = end if reach is None else max(reach, end)
    return groups


def _alerted(spike: Spike, config: AlertConfig) -> bool:
    return (
        spike.metric in config.metrics
        and SEVERITY_RANK[spike.severity] >= SEVERITY_RANK[config.min_severity]
    )


def incidents(spikes: Iterable[Spike], config: AlertConfig) -> list[Incident]:
    """The alerted incidents among ``spikes`` (of one brand), by start."""
    out = []
    for group in group_spikes(spikes):
        alerted = [s for s in group if _alerted(s, config)]
        if not alerted:
            continue
        severity = max((s.severity for s in alerted), key=SEVERITY_RANK.__getitem__)
        out.append(Incident(tuple(group), alerted[0], severity))
    return out


def incidents_in_scope(
    con: duckdb.DuckDBPyConnection,
    brand: str,
    start: datetime,
    end: datetime,
    config: AlertConfig,
) -> list[Incident]:
    """The alerted incidents with a spike in scope of the judged ``[start, end)`` (see
    :func:`~pipeline.detect.store.spikes_in_scope`), each with all its spikes, also those
    flagged before the scope."""
    in_scope = spikes_in_scope(con, brand, start, end)
    if not in_scope:
        return []
    earliest = min(s.started_at for s in in_scope)
    nearby = spikes_in_scope(con, brand, earliest - LOOKBACK, end)
    scoped = {s.spike_id for s in in_scope}
    return [i for i in incidents(nearby, config) if any(sid in scoped for sid in i.spike_ids)]


def thread_key(incident: Incident, claimed: Sequence[str]) -> str:
    """The ledger key of ``incident``: the earliest of its spikes the ledger already names
    (``claimed``: spike ids with alert rows), else its lead spike's id."""
    known = [s for s in incident.spikes if s.spike_id in set(claimed)]
    return known[0].spike_id if known else incident.lead.spike_id
