"""Which scoring core runs: the compiled extension or the pure-Python reference.

The compiled core (:mod:`pipeline.scoring._core`, Cython, built by ``make`` and by
``pip install``) computes exactly what the pure-Python code of :mod:`pipeline.scoring.vader`
and :mod:`pipeline.scoring.cues` computes, faster; the pure-Python code stays the reference
and the fallback. ``BRANDPULSE_SCORING_CORE`` chooses:

``auto`` (the default)
    the compiled core when the extension is built, else the pure-Python one;
``compiled``
    the compiled core, or a :class:`~pipeline.errors.ConfigError` when it is not built;
``python``
    the pure-Python core.

Which one runs is logged once per process (``scoring core: ...``).
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass
from importlib.metadata import version as package_version
from types import ModuleType

from pipeline.errors import ConfigError

log = logging.getLogger(__name__)

#: The environment variable that chooses the core.
CORE_ENV = "BRANDPULSE_SCORING_CORE"
CHOICES = ("auto", "compiled", "python")
#: The vaderSentiment release the compiled VADER follows (as vader._VADER_FAST_PATH).
COMPILED_VADER = "3.3.2"

_logged: set[str] = set()


@dataclass(frozen=True)
class Core:
    """The core a scorer uses: ``name`` is "compiled" or "python"."""

    name: str
    #: The extension module (None for the pure-Python core).
    module: ModuleType | None
    #: Why this core: what was asked for, or why the compiled one is not there.
    reason: str


def _extension() -> tuple[ModuleType | None, str]:
    try:
        module = importlib.import_module("pipeline.scoring._core")
    except ImportError as exc:
        return None, f"the compiled extension is not built ({exc})"
    if package_version("vaderSentiment") != COMPILED_VADER:
        return None, f"the compiled VADER follows vaderSentiment {COMPILED_VADER} only"
    return module, "built"


def choose(requested: str | None = None) -> Core:
    """The core to use: ``requested``, else ``BRANDPULSE_SCORING_CORE``, else auto."""
    raw = requested if requested is not None else os.environ.get(CORE_ENV, "auto")
    value = raw.strip().lower() or "auto"
    if value not in CHOICES:
        raise ConfigError(f"{CORE_ENV}: expected one of {', '.join(CHOICES)}, got {raw!r}")
    if value == "python":
        core = Core("python", None, f"{CORE_ENV}=python")
    else:
        module, why = _extension()
        if module is None:
            if value == "compiled":
                raise ConfigError(
                    f"{CORE_ENV}=compiled, but {why}: build it with `make` or "
                    "`pip install -e .` (needs a C compiler)"
                )
            core = Core("python", None, why)
        else:
            core = Core("compiled", module, f"{CORE_ENV}={value}")
    line = (
        "scoring core: compiled (Cython extension pipeline.scoring._core)"
        if core.name == "compiled"
        else f"scoring core: pure Python ({core.reason})"
    )
    if line not in _logged:
        _logged.add(line)
        log.info(line)
    return core
