"""models/lexicons/es.txt is what scripts/build_lexicon_es.py builds from its lemma lists
(the file says "do not edit by hand"), and the script's ``--check`` says when it is not."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "build_lexicon_es.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_lexicon_es", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_lexicon_is_what_the_script_builds(build: ModuleType) -> None:
    assert build.OUT == ROOT / "models" / "lexicons" / "es.txt"
    assert build.render() == build.OUT.read_text(encoding="utf-8")
    assert build.main(["--check"]) == 0


def test_check_fails_on_a_hand_edit_and_writes_nothing(
    build: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edited = tmp_path / "es.txt"
    text = build.render().replace("\nbueno\t1.9\n", "\nbueno\t3.9\n")
    assert text != build.render()
    edited.write_text(text, encoding="utf-8")
    monkeypatch.setattr(build, "OUT", edited)
    assert build.main(["--check"]) == 1
    assert "is not what" in capsys.readouterr().err
    assert edited.read_text(encoding="utf-8") == text
    assert build.main([]) == 0
    assert build.main(["--check"]) == 0


def test_a_superlative_keeps_its_stronger_valence_over_a_later_lemma(build: ModuleType) -> None:
    # bueno (1.9) makes buenísimo at 2.5 before the lemma buenísimo (2.8) is reached: the
    # first valence a form gets is kept, as the file has always had it.
    words = build.entries()
    assert words["bueno"] == 1.9 and words["buenisimo"] == 2.5 and words["buenísimo"] == 2.5
    assert words["agradezco"] == 2.0  # from the -er table: the -ar entry's 0 adds nothing
    assert not any(v == 0 for v in words.values())
