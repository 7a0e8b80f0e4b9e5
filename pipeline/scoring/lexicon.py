"""Another language's VADER: its lexicon file and word rules, read from the models folder.

English is vaderSentiment's own lexicon and rules (nothing is read here). Another language
has a lexicon in VADER's format under ``models/lexicons/<lang>.txt`` (one entry a line:
the token, a tab, its mean valence on VADER's -4..+4 scale; ``#`` starts a comment) and its
rules in ``models/<lang>/vader_fixes.yaml`` (boosters, negations, idioms, the contrastive
conjunction). :func:`vader_assets` gives :class:`pipeline.scoring.vader.Analyzer` what it
needs for a language; :func:`version_part` the lexicon's part of the model version.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.scoring.vader import Rules

#: VADER's valence scale (the package's lexicon is rated from -4 to +4).
_VALENCE_LIMIT = 4.0


def read_lexicon(path: Path) -> dict[str, float]:
    """A lexicon file: token -> mean valence. Raises ConfigError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"scoring asset not found: {path} (set BRANDPULSE_MODELS)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text") from None
    lexicon: dict[str, float] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        try:
            valence = float(fields[1])
        except (IndexError, ValueError):
            raise ConfigError(
                f"{path.name}, line {number}: expected a token, a tab and a valence"
            ) from None
        if not -_VALENCE_LIMIT <= valence <= _VALENCE_LIMIT:
            raise ConfigError(f"{path.name}, line {number}: valence {valence} is outside -4..4")
        lexicon[unicodedata.normalize("NFC", fields[0].lower())] = valence
    return lexicon


def _lexicon_path(models_dir: Path, language: str) -> Path:
    return models_dir / "lexicons" / f"{language}.txt"


def vader_assets(models_dir: Path, language: str, fixes: Mapping[str, Any]) -> dict[str, Any]:
    """The Analyzer's keyword arguments for ``language`` (none for English: VADER's own)."""
    if language == "en":
        return {}
    words = read_lexicon(_lexicon_path(models_dir, language))
    rules = Rules(
        boosters={str(k).lower(): float(v) for k, v in dict(fixes["boosters"]).items()},
        negations=frozenset(str(w).lower() for w in fixes["negations"]),
        special_cases={str(k).lower(): float(v) for k, v in dict(fixes["idioms"]).items()},
        no_word=None,
        but_word=str(fixes["but_word"]),
    )
    # Emoji are entries of the lexicon themselves (a Spanish post's 🔥 is praise): each one
    # stands as its own token, as VADER stands its English descriptions.
    emojis = {t: t for t in words if len(t) == 1 and not t.isalnum()}
    return {"rules": rules, "lexicon": words, "emojis": emojis}


def version_part(language: str, fixes: Mapping[str, Any]) -> str:
    """``+lexicon-<lang>-<version>`` for another language's lexicon; "" for English."""
    if language == "en":
        return ""
    return f"+lexicon-{language}-{fixes['lexicon_version']}"
