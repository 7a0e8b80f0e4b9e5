# Types of the compiled scoring core (pipeline/scoring/_core.pyx).
from collections.abc import Callable, Mapping

from pipeline.scoring.cues import CueIndex, StartIndex
from pipeline.scoring.vader import Analyzer

class VaderCore:
    def __init__(
        self,
        analyzer: Analyzer,
        booster: Mapping[str, float],
        special: Mapping[str, float],
        negate: list[str],
        n_scalar: float,
        c_incr: float,
        punctuation: str,
    ) -> None: ...
    def scores(self, text: str, fix: bool = True) -> tuple[dict[str, float], float]: ...

class TokenMatcher:
    def __init__(self, index: CueIndex) -> None: ...
    def families(
        self, lowered: str, negatable: tuple[bool, ...], negated: Callable[[str, int], bool]
    ) -> set[int]: ...
    def counts(self, lowered: str) -> list[int]: ...

class StartMatcher:
    def __init__(self, index: StartIndex) -> None: ...
    def candidates(self, lowered: str) -> set[int]: ...

def words(text: str) -> list[str]: ...
