"""A whole run without a scheduler: land, load and aggregate planned chunks, oldest first."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pipeline.ingest import landing
from pipeline.settings import Settings
from pipeline.steps.aggregation import AggregateResult, aggregate_chunks
from pipeline.steps.fetch import land
from pipeline.steps.loading import LoadResult, load_batches
from pipeline.steps.planning import Chunk


@dataclass(frozen=True)
class RunResult:
    loads: tuple[LoadResult, ...]
    aggregate: AggregateResult

    @property
    def loaded(self) -> int:
        return sum(r.loaded for r in self.loads)

    @property
    def quarantined(self) -> int:
        return sum(r.quarantined for r in self.loads)


def run(
    items: Sequence[Chunk],
    *,
    settings: Settings | None = None,
    on_step: Callable[[Chunk], None] | None = None,
    workers: int | None = None,
) -> RunResult:
    """Land, load and aggregate the planned chunks without a scheduler, oldest first.

    Chunks are landed one after the other and, in a long run, scored in ``workers``
    processes (:func:`load_batches`; default one per core).
    ``on_step`` is called after each load is written (for a progress bar).
    """
    settings = settings or Settings.from_env()
    ordered = sorted(items, key=Chunk.order)
    done = iter(ordered)

    def landed() -> Iterator[landing.Batch]:
        for item in ordered:
            yield land(item.source, item.brand, item.start, item.end, settings)

    def step(_: LoadResult) -> None:
        if on_step is not None:
            on_step(next(done))

    loads = load_batches(landed(), settings, workers=workers, on_load=step)
    return RunResult(loads=tuple(loads), aggregate=aggregate_chunks(items, settings))
