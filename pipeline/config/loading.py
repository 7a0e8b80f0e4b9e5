"""Reading the brands file: YAML in, a checked :class:`~pipeline.config.model.BrandsFile` out.

Adding a brand is an edit of this file and nothing else. The file is validated as a whole
when it is loaded; the first problem found raises :class:`~pipeline.errors.ConfigError`
with a message naming the file, the brand and the field, e.g.::

    brands.yaml: brand 'pebble', field 'timezone': unknown time zone 'Mars/Olympus'

See ``docs/configuration.md`` for every field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from pipeline.config.model import (
    DEFAULT_LANGUAGES,
    KNOWN_SOURCES,
    MAX_LAG_MINUTES,
    BrandConfig,
    BrandsFile,
    Operators,
    SourceConfig,
)
from pipeline.config.recipients import recipient_keys
from pipeline.errors import ConfigError

_BRAND_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_HANDLE = re.compile(r"^@?[A-Za-z0-9_.\-]{1,64}$")
_LANG = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1/-3 codes, as X, Bluesky and Mastodon report them
_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class FieldChecker:
    """Validates one brand entry, prefixing every message with file, brand and field."""

    def __init__(self, file: str, brand: str, raw: Mapping[str, Any], prefix: str = "") -> None:
        self.file = file
        self.brand = brand
        self.raw = raw
        self.prefix = prefix

    def fail(self, fld: str, problem: str) -> ConfigError:
        where = f"{self.prefix}{fld}"
        return ConfigError(f"{self.file}: brand '{self.brand}', field '{where}': {problem}")

    def string(self, fld: str, default: str | None = None) -> str:
        value = self.raw.get(fld, default)
        if value is None:
            raise self.fail(fld, "is required")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(fld, f"must be a non-empty string, got {value!r}")
        return value.strip()

    def strings(
        self, fld: str, *, required: bool = False, pattern: re.Pattern[str] | None = None
    ) -> tuple[str, ...]:
        value = self.raw.get(fld)
        if value is None:
            if required:
                raise self.fail(fld, "is required (a list of strings)")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(fld, f"must be a list of non-empty strings, got {value!r}")
        if required and not value:
            raise self.fail(fld, "must not be empty")
        if pattern is not None:
            for v in value:
                if not pattern.match(v.strip()):
                    raise self.fail(fld, f"invalid entry {v!r}")
        return tuple(v.strip() for v in value)

    def recipients(self, fld: str) -> tuple[str, ...]:
        """Email addresses and ``{slack|teams|webhook: connection_id}`` entries, as the
        recipient keys the ledgers use (pipeline.config.recipients)."""
        try:
            return recipient_keys(self.raw.get(fld))
        except ValueError as exc:
            raise self.fail(fld, str(exc)) from None

    def mapping(self, fld: str) -> Mapping[str, Any]:
        value = self.raw.get(fld) or {}
        if not isinstance(value, Mapping):
            raise self.fail(fld, f"must be a mapping, got {type(value).__name__}")
        return value


#: Keys under ``overrides:`` that other modules validate themselves: ``spikes`` (the spike
#: detector, pipeline.detect.options), ``alerts`` (pipeline.notify.alerts.options),
#: ``report`` (pipeline.notify.report.options),
#: ``privacy`` (pipeline.posts.pseudonyms), ``history`` (pipeline.posts.plausible).
_OTHER_OVERRIDES = {"spikes", "alerts", "report", "privacy", "history"}
_OVERRIDE_KEYS = {
    "lexicon", "categories", "complaint_threshold", "learned_complaints", "languages",
} | _OTHER_OVERRIDES  # fmt: skip
#: What ``overrides.languages.<lang>`` may hold: that language's own words.
_LANGUAGE_OVERRIDE_KEYS = {"lexicon", "categories"}
_CATEGORY_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CATEGORY_FIELDS = {"keywords", "context", "label"}
#: VADER's lexicon valences run from -4 (most negative) to +4.
_VALENCE_RANGE = 4.0


def _parse_lexicon(c: FieldChecker, raw: Any, fld: str) -> dict[str, float]:
    """``{word: valence}`` under ``fld``: one word each (VADER scores single tokens), -4..4."""
    lexicon = raw or {}
    if not isinstance(lexicon, Mapping):
        raise c.fail(fld, "must be a mapping of word: valence (-4..4)")
    words: dict[str, float] = {}
    for word, valence in lexicon.items():
        at = f"{fld}.{word}"
        if not isinstance(word, str) or not word.strip() or len(word.split()) != 1:
            raise c.fail(at, "must be a single word (VADER scores one token at a time)")
        if (
            isinstance(valence, bool)
            or not isinstance(valence, int | float)
            or not -_VALENCE_RANGE <= valence <= _VALENCE_RANGE
        ):
            raise c.fail(at, f"valence must be a number from -4 to 4, got {valence!r}")
        words[word.strip().lower()] = float(valence)
    return words


def _parse_categories(c: FieldChecker, raw: Any, fld: str) -> dict[str, dict[str, Any] | None]:
    """``{name: {keywords: [regex, ...], label: text}}`` or ``{name: null}`` under ``fld``."""
    categories = raw or {}
    if not isinstance(categories, Mapping):
        raise c.fail(fld, "must be a mapping of category: {keywords: [...]}")
    cats: dict[str, dict[str, Any] | None] = {}
    for name, spec in categories.items():
        at = f"{fld}.{name}"
        if not isinstance(name, str) or not _CATEGORY_ID.match(name):
            raise c.fail(at, "name must be lowercase letters, digits or '_', 1-40 chars")
        if spec is None:
            cats[name] = None  # removes the default category
            continue
        if not isinstance(spec, Mapping):
            raise c.fail(at, "must be a mapping with 'keywords' (or null to remove it)")
        extra = sorted(set(spec) - _CATEGORY_FIELDS)
        if extra:
            raise c.fail(f"{at}.{extra[0]}", "unknown field (known: context, keywords, label)")
        fields = FieldChecker(c.file, c.brand, spec, prefix=f"{at}.")
        keywords = fields.strings("keywords", required=True)
        context = fields.strings("context")
        for keyword in (*keywords, *context):
            try:
                re.compile(keyword)
            except re.error as exc:
                where = "keywords" if keyword in keywords else "context"
                raise c.fail(f"{at}.{where}", f"invalid pattern {keyword!r}: {exc}") from None
        label = spec.get("label", name)
        if not isinstance(label, str) or not label.strip():
            raise c.fail(f"{at}.label", f"must be a non-empty string, got {label!r}")
        entry: dict[str, Any] = {"keywords": list(keywords), "label": label.strip()}
        if context:  # only then: a brand without context words keeps its model version
            entry["context"] = list(context)
        cats[name] = entry
    return cats


def _parse_language_overrides(
    c: FieldChecker, raw: Any, languages: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """``languages: {<lang>: {lexicon: ..., categories: ...}}``: one language's own words,
    on top of the shared ``lexicon`` and ``categories``; each must be a brand language."""
    if not isinstance(raw, Mapping):
        raise c.fail("overrides.languages", "must be a mapping of language: {lexicon, categories}")
    out: dict[str, dict[str, Any]] = {}
    for lang, given in raw.items():
        fld = f"overrides.languages.{lang}"
        if lang not in languages:
            raise c.fail(fld, f"not one of the brand's languages ({', '.join(languages)})")
        spec = given or {}
        if not isinstance(spec, Mapping):
            raise c.fail(fld, "must be a mapping with 'lexicon' and/or 'categories'")
        extra = sorted(set(spec) - _LANGUAGE_OVERRIDE_KEYS)
        if extra:
            raise c.fail(f"{fld}.{extra[0]}", "unknown field (known: categories, lexicon)")
        parsed: dict[str, Any] = {}
        if "lexicon" in spec:
            parsed["lexicon"] = _parse_lexicon(c, spec["lexicon"], f"{fld}.lexicon")
        if "categories" in spec:
            parsed["categories"] = _parse_categories(c, spec["categories"], f"{fld}.categories")
        out[str(lang)] = parsed
    return out


def _parse_overrides(c: FieldChecker, languages: tuple[str, ...]) -> dict[str, Any]:
    """Validate ``overrides:``: the scoring keys here, other keys passed through as they are.

    ``lexicon``: ``{word: valence}``, one word (VADER scores single tokens), valence -4..4.
    ``categories``: ``{name: {keywords: [regex, ...], label: text}}`` adding or replacing a
    category of ``models/categories.yaml``, or ``{name: null}`` removing one. Both apply in
    every language the brand scores; ``languages``: ``{<lang>: {lexicon, categories}}``, a
    language's own on top of them (``languages``: the brand's, which these must be among).
    ``complaint_threshold``: the complaint score (0..1, exclusive) that makes a complaint.
    ``learned_complaints``: true or false, whether the learned complaint stage runs
    (pipeline.scoring.learned).
    """
    raw = c.mapping("overrides")
    unknown = sorted(set(raw) - _OVERRIDE_KEYS)
    if unknown:
        raise c.fail(
            f"overrides.{unknown[0]}",
            f"unknown override (known: {', '.join(sorted(_OVERRIDE_KEYS))})",
        )
    parsed: dict[str, Any] = dict(raw)
    if "lexicon" in raw:
        parsed["lexicon"] = _parse_lexicon(c, raw["lexicon"], "overrides.lexicon")
    if "categories" in raw:
        parsed["categories"] = _parse_categories(c, raw["categories"], "overrides.categories")
    if "languages" in raw:
        parsed["languages"] = _parse_language_overrides(c, raw["languages"], languages)
    if "complaint_threshold" in raw:
        threshold = raw["complaint_threshold"]
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 < threshold < 1
        ):
            raise c.fail(
                "overrides.complaint_threshold",
                f"must be a number between 0 and 1, got {threshold!r}",
            )
        parsed["complaint_threshold"] = float(threshold)
    if "learned_complaints" in raw and not isinstance(raw["learned_complaints"], bool):
        raise c.fail(
            "overrides.learned_complaints",
            f"must be true or false, got {raw['learned_complaints']!r}",
        )
    return parsed


_BRAND_FIELDS = {
    "id", "name", "timezone", "accounts", "terms", "exclude", "languages", "sources",
    "report", "alerts", "overrides", "products",
}  # fmt: skip


def _parse_brand(file: str, index: int, raw: Any) -> BrandConfig:
    label = raw.get("id", f"#{index + 1}") if isinstance(raw, Mapping) else f"#{index + 1}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{file}: brand {label}: must be a mapping of fields")
    c = FieldChecker(file, str(label), raw)
    unknown = sorted(set(raw) - _BRAND_FIELDS)
    if unknown:
        raise c.fail(unknown[0], f"unknown field (known: {', '.join(sorted(_BRAND_FIELDS))})")

    brand_id = c.string("id")
    if not _BRAND_ID.match(brand_id):
        raise c.fail("id", f"{brand_id!r} must be lowercase letters, digits or '_', 1-40 chars")

    timezone = c.string("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise c.fail("timezone", f"unknown time zone {timezone!r}") from None

    sources: list[SourceConfig] = []
    for name, raw_options in c.mapping("sources").items():
        if name not in KNOWN_SOURCES:
            raise c.fail(f"sources.{name}", f"unknown source (known: {', '.join(KNOWN_SOURCES)})")
        options = {} if raw_options is None else raw_options
        if not isinstance(options, Mapping):
            raise c.fail(f"sources.{name}", "must be a mapping of options")
        if options.get("enabled", True) is not True and options.get("enabled") is not False:
            raise c.fail(f"sources.{name}.enabled", "must be true or false")
        lag = options.get("lag_minutes", 0)
        if (
            isinstance(lag, bool)
            or not isinstance(lag, int | float)
            or not 0 <= lag <= MAX_LAG_MINUTES
        ):
            raise c.fail(
                f"sources.{name}.lag_minutes", f"must be a number of minutes 0..{MAX_LAG_MINUTES}"
            )
        if options.get("enabled", True):
            sources.append(SourceConfig(name, dict(options)))

    report = FieldChecker(file, brand_id, c.mapping("report"), prefix="report.")
    alerts = FieldChecker(file, brand_id, c.mapping("alerts"), prefix="alerts.")
    local_time = report.string("local_time", "08:00")
    if not _LOCAL_TIME.match(local_time):
        raise report.fail("local_time", f"must be HH:MM, got {local_time!r}")

    languages = c.strings("languages", pattern=_LANG) or DEFAULT_LANGUAGES
    return BrandConfig(
        id=brand_id,
        name=c.string("name"),
        timezone=timezone,
        accounts=c.strings("accounts", required=True, pattern=_HANDLE),
        terms=c.strings("terms", required=True),
        exclude=c.strings("exclude"),
        languages=languages,
        sources=tuple(sources),
        report_recipients=report.recipients("recipients"),
        report_local_time=local_time,
        alert_recipients=alerts.recipients("recipients"),
        overrides=_parse_overrides(c, languages),
        products=c.strings("products"),
    )


#: The brands file format this version of brandpulse reads (``version:`` at the top; a
#: file without it is read as this version).
BRANDS_FILE_VERSION = 1
_TOP_LEVEL = "a mapping with a 'version' and a 'brands' list"


def parse_brands(data: Any, path: Path, *, text: str | None = None) -> BrandsFile:
    """Validate the parsed YAML of a brands file (``text``: the file's text, for the line of
    a problem at the top level)."""
    file = path.name
    if not isinstance(data, Mapping):
        what = "nothing" if data is None else f"a {_yaml_kind(data)}"
        raise ConfigError(f"{file}{_line(text)}: the top level must be {_TOP_LEVEL}, got {what}")
    version = data.get("version", BRANDS_FILE_VERSION)
    if type(version) is not int or version != BRANDS_FILE_VERSION:
        raise ConfigError(
            f"{file}{_line(text, 'version')}: unsupported version {version!r} (this "
            f"brandpulse reads version {BRANDS_FILE_VERSION}; see docs/configuration.md)"
        )
    if "brands" not in data:
        raise ConfigError(f"{file}{_line(text)}: expected {_TOP_LEVEL} at the top")
    raw_brands = data["brands"]
    if not isinstance(raw_brands, list) or not raw_brands:
        raise ConfigError(f"{file}{_line(text, 'brands')}: 'brands' must be a non-empty list")
    brands = tuple(_parse_brand(file, i, raw) for i, raw in enumerate(raw_brands))
    seen: set[str] = set()
    for brand in brands:
        if brand.id in seen:
            raise ConfigError(f"{file}: brand '{brand.id}', field 'id': defined twice")
        seen.add(brand.id)
    return BrandsFile(path=path, brands=brands, operators=_parse_operators(file, data))


_OPERATOR_FIELDS = ("freshness_hours", "recipients")
#: Most hours of silence the freshness alarm may wait for: a week.
_MAX_FRESHNESS_HOURS = 24 * 7


def _parse_operators(file: str, data: Mapping[str, Any]) -> Operators:
    """The top-level ``operators:`` section (optional): recipients, freshness_hours."""
    raw = data.get("operators")
    if raw is None:
        return Operators()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{file}: field 'operators': must be a mapping, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_OPERATOR_FIELDS))
    if unknown:
        raise ConfigError(
            f"{file}: field 'operators.{unknown[0]}': unknown field "
            f"(known: {', '.join(_OPERATOR_FIELDS)})"
        )
    try:
        recipients = recipient_keys(raw.get("recipients"))
    except ValueError as exc:
        raise ConfigError(f"{file}: field 'operators.recipients': {exc}") from None
    hours = raw.get("freshness_hours", Operators.freshness_hours)
    if (
        isinstance(hours, bool)
        or not isinstance(hours, int)
        or not 1 <= hours <= _MAX_FRESHNESS_HOURS
    ):
        raise ConfigError(
            f"{file}: field 'operators.freshness_hours': a whole number of hours, "
            f"1 to {_MAX_FRESHNESS_HOURS}, got {hours!r}"
        )
    return Operators(recipients=recipients, freshness_hours=hours)


def _yaml_kind(value: object) -> str:
    """How YAML calls what a value was written as."""
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _line(text: str | None, key: str | None = None) -> str:
    """``", line N"``: where the top-level node (or its ``key``) starts; "" when unknown."""
    if text is None:
        return ""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return ""
    if node is None:
        return ""
    mark = node.start_mark
    if key is not None and isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if getattr(key_node, "value", None) == key:
                mark = key_node.start_mark
    return f", line {mark.line + 1}"


def read_brands(path: Path) -> BrandsFile:
    """Read a brands file and check its structure; raise :class:`ConfigError` on the first
    problem.

    The file must be UTF-8 YAML whose top level is a mapping with ``brands`` (and, optionally,
    ``version: 1``); a problem there names the file and the line (or byte) where it is.
    The options each stage owns (a source's options, ``overrides.spikes``, ...) are checked by
    that stage; :func:`pipeline.steps.brands.load_brands` runs every check when the file loads.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"brands file not found: {path} (set BRANDPULSE_BRANDS or create it; "
            "see docs/configuration.md)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"brands file {path} is a directory, not a file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the brands file {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path.name}, line {line}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save the file as UTF-8"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        raise ConfigError(f"{path.name}{where}: not valid YAML ({problem})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise ConfigError(f"{path.name}: not valid YAML (nested too deeply)") from None
    return parse_brands(data, path, text=text)
