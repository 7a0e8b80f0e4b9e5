"""Pseudonymized authors: keyed, stable pseudonyms for the authors of a brand's posts.

Per brand, under ``overrides: {privacy: {...}}`` in the brands file (:class:`PrivacyConfig`),
``pseudonymize_authors: true`` stores every author who is not one of the brand's own
accounts under a keyed hash (HMAC-SHA256) instead of their id and handle, and drops the
post's link (it names the author). The same author always gets the same pseudonym, so
counts per author, replies and complaint responses still work. The key comes from the
Airflow Connection ``brandpulse_pseudonym_key`` (password) or the environment variable
``BRANDPULSE_PSEUDONYM_KEY``; without one, loads of such a brand fail at once.

The same section's ``retention_days`` is applied by :mod:`pipeline.warehouse.retention`,
which also forgets an author on request.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.secrets import SecretLookup, SecretSpec, resolve

if TYPE_CHECKING:  # the brands file validates PrivacyConfig: keep this module light
    import pandas as pd

KEY_SPEC = SecretSpec(
    connection_id="brandpulse_pseudonym_key",
    env_var="BRANDPULSE_PSEUDONYM_KEY",
    what="pseudonymization key",
)
PSEUDONYM_PREFIX = "anon_"


@dataclass(frozen=True)
class PrivacyConfig:
    pseudonymize_authors: bool = False
    retention_days: int | None = None

    @classmethod
    def for_brand(cls, brand: BrandConfig, file: str = "brands.yaml") -> PrivacyConfig:
        where = f"{file}: brand {brand.id}: overrides.privacy"
        raw = brand.overrides.get("privacy")
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{where}: expected a mapping")
        unknown = sorted(set(raw) - {"pseudonymize_authors", "retention_days"})
        if unknown:
            raise ConfigError(
                f"{where}.{unknown[0]}: unknown setting (known: pseudonymize_authors, "
                "retention_days)"
            )
        pseudo = raw.get("pseudonymize_authors", False)
        if not isinstance(pseudo, bool):
            raise ConfigError(f"{where}.pseudonymize_authors: true or false")
        days = raw.get("retention_days")
        if days is not None and (
            isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 36500
        ):
            raise ConfigError(f"{where}.retention_days: a whole number of days, 1 or more")
        return cls(pseudonymize_authors=pseudo, retention_days=days)


class Pseudonymizer:
    """Keyed, stable pseudonyms for author ids and handles."""

    def __init__(self, key: str) -> None:
        if len(key) < 16:
            raise ConfigError(f"{KEY_SPEC.what}: use at least 16 characters")
        self._key = key.encode("utf-8")

    def __call__(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:20]

    def handle(self, handle: str) -> str:
        return self("handle", handle.lstrip("@").casefold())

    def author_id(self, author_id: str) -> str:
        return self("id", author_id)


def pseudonymizer(lookup: SecretLookup | None = None) -> Pseudonymizer:
    return Pseudonymizer(resolve(KEY_SPEC, lookup))


def pseudonymize_posts(frame: pd.DataFrame, pseudo: Pseudonymizer) -> pd.DataFrame:
    """``frame`` (posts columns) with every non-brand author replaced by pseudonyms.

    The brand's own replies keep their author (the brand is not a private person); the
    author a post replies to is pseudonymized everywhere, so replies still match.
    """
    out = frame.copy()
    private = ~out["is_brand_reply"].astype(bool)
    out.loc[private, "author_id"] = [
        pseudo.author_id(str(v)) for v in out.loc[private, "author_id"]
    ]
    out.loc[private, "author_handle"] = [
        pseudo.handle(str(v)) for v in out.loc[private, "author_handle"]
    ]
    out.loc[private, "url"] = None
    replied = out["in_reply_to_author_id"].notna()
    out.loc[replied, "in_reply_to_author_id"] = [
        pseudo.author_id(str(v)) for v in out.loc[replied, "in_reply_to_author_id"]
    ]
    return out
