"""Choosing the scoring core: BRANDPULSE_SCORING_CORE, the fallback when the compiled
extension is absent, and the one log line that says which core runs."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from pipeline.cli.main import main
from pipeline.errors import ConfigError
from pipeline.scoring import core
from pipeline.scoring.scorer import Scorer, _scorer_for
from pipeline.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"
TEXTS = [
    "@pebblehelp still waiting for my refund, charged twice!!! #fail",
    "not bad at all, but the app is DOWN again :(",
    "giveaway! link in bio, DM me for a promo code 🔗 https://bit.ly/x",
    "",
]


@pytest.fixture(autouse=True)
def fresh_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the core's log line again (it is logged once per process)."""
    monkeypatch.setattr(core, "_logged", set())


@pytest.fixture
def no_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled extension absent, as on a machine without a C compiler: importing it
    fails (None in sys.modules makes the import system raise ImportError)."""
    monkeypatch.setitem(sys.modules, "pipeline.scoring._core", None)


def test_auto_runs_the_compiled_core_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pipeline.scoring.core"):
        assert Scorer(MODELS).core == "compiled"
        Scorer(MODELS)  # a second scorer: no second line
    lines = [r.getMessage() for r in caplog.records if "scoring core" in r.getMessage()]
    assert lines == ["scoring core: compiled (Cython extension pipeline.scoring._core)"]


def test_the_env_var_forces_the_python_core(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(core.CORE_ENV, "python")
    with caplog.at_level(logging.INFO, logger="pipeline.scoring.core"):
        scorer = Scorer(MODELS)
    assert scorer.core == "python"
    assert "scoring core: pure Python (BRANDPULSE_SCORING_CORE=python)" in caplog.messages
    compiled = Scorer(MODELS, core="compiled")
    assert [scorer.score(t) for t in TEXTS] == [compiled.score(t) for t in TEXTS]


@pytest.mark.usefixtures("no_extension")
def test_without_the_extension_auto_falls_back_to_python(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="pipeline.scoring.core"):
        scorer = Scorer(MODELS)
    assert scorer.core == "python"
    [line] = [m for m in caplog.messages if m.startswith("scoring core:")]
    assert line.startswith("scoring core: pure Python (the compiled extension is not built")
    score = scorer.score(TEXTS[0])
    assert score.is_complaint and score.complaint_category == "billing"
    assert scorer.is_spam(TEXTS[2]) and not scorer.is_spam(TEXTS[1])


@pytest.mark.usefixtures("no_extension")
def test_forcing_the_compiled_core_without_it_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(core.CORE_ENV, "compiled")
    with pytest.raises(ConfigError, match=r"=compiled, but the compiled extension is not built"):
        Scorer(MODELS)


def test_an_unknown_core_is_a_one_line_cli_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(core.CORE_ENV, "fortran")
    _scorer_for.cache_clear()  # the process-wide scorer is built with the setting
    src = tmp_path / "in.csv"
    src.write_text("text\nhello\n", encoding="utf-8")
    code = main(["score", "--input", str(src), "--output", str(tmp_path / "out.csv")])
    _scorer_for.cache_clear()
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "brandpulse: error: BRANDPULSE_SCORING_CORE: expected one of auto, compiled, "
        "python, got 'fortran'\n"
    )
