"""``brandpulse score``: score a CSV or JSONL file of posts, keeping every row in order.

The input is read in chunks (constant memory, any file size) with every value kept as the
text it was, so the output is the same rows, in the same order, plus the score columns.
A row whose text is empty or missing is scored as empty text (neutral, no complaint),
never dropped.

Every record is either scored or the run stops at it with one line naming the file, the
line (JSONL, CSV) or row and what is wrong; no output is left behind then. JSONL lines are
strict JSON: ``NaN``, ``Infinity`` and numbers beyond a 64-bit float (``1e400``) are refused,
as are lone surrogates (``"\\ud800"``, not Unicode text) and nesting deeper than Python can
read, so the output is always valid JSON (UTF-8, one object per line) that any parser reads.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError, first_bad_utf8, reading_input
from pipeline.scoring import routing
from pipeline.scoring.scorer import Score, Scorer, default_scorer

if TYPE_CHECKING:
    from _csv import Reader as _csv_reader

    from pipeline.config.model import BrandConfig

SCORE_COLUMNS = (
    "compound", "sentiment_compound", "sentiment", "is_complaint", "complaint_score",
    "complaint_category",
)  # fmt: skip
#: Written after SCORE_COLUMNS when the scorer runs the learned complaint stage (empty
#: where the stage did not run on the row: its cue score was outside the stage's band).
LEARNED_COLUMN = "learned_complaint_score"
#: With ``--brand``, also: the language each row was read in and why a row was not scored
#: (another language: its score columns are left empty), as the warehouse stores them.
ROUTED_COLUMNS = ("text_lang", "unscored_reason")
#: The column whose value is taken as a row's declared language (with ``--brand``).
LANG_COLUMN = "lang"
CHUNK_ROWS = 50_000

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    complaints: int


def _names(columns: Iterable[str]) -> str:
    """Column names for a one-line message: a name with a line break or another character
    that does not print is shown quoted, with the character escaped."""
    return ", ".join(c if c.isprintable() else repr(c) for c in columns)


def _format(path: Path, role: str) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{role} file {path}: unknown extension (use .csv, .jsonl or .ndjson)")
    return fmt


Record = dict[str, object]


#: A ``\\uD800``..``\\uDFFF`` escape: only then can a parsed line hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:40]} is beyond a 64-bit float")
    return value


def _json_record(path: Path, line_no: int, line: str) -> Record:
    """One JSONL line as a record; :class:`InputError` naming the line when it is not one."""
    where = f"{path}, line {line_no}"
    try:
        value = json.loads(line, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply to read") from None
    except ValueError as exc:  # NaN / Infinity, a number out of range, a 5,000-digit int
        raise InputError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a JSON object per line")
    if _SURROGATE_ESCAPE.search(line):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"{where}: a lone surrogate {exc.object[exc.start : exc.end]!a} is not "
                "Unicode text (a UTF-16 escape without its pair)"
            ) from None
    return value


def _read_chunks(path: Path, fmt: str) -> Iterator[tuple[list[str], list[Record]]]:
    """(columns, records) chunks; CSV values stay the exact text of the file."""
    with reading_input(path):
        if fmt == "csv":
            yield from _csv_chunks(path)
            return
        # JSON Lines end at "\n" only: a "\r" is JSON whitespace inside a record.
        with path.open(encoding="utf-8", newline="\n") as fh:
            rows: list[Record] = []
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                rows.append(_json_record(path, line_no, line))
                if len(rows) >= CHUNK_ROWS:
                    yield list(dict.fromkeys(k for r in rows for k in r)), rows
                    rows = []
            if rows:
                yield list(dict.fromkeys(k for r in rows for k in r)), rows


def _csv_chunks(path: Path) -> Iterator[tuple[list[str], list[Record]]]:
    """CSV rows exactly as written: every value a string, blank lines kept as empty rows,
    a row with more fields than the header an error naming its line."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            # Python's utf-8-sig reader reads one or two bytes of an unfinished BOM as
            # nothing: such a file is not empty.
            bad = first_bad_utf8(path)
            if bad is not None:
                raise InputError(
                    f"{path}: not UTF-8 text (an unfinished character at byte {bad[0]}, "
                    f"line {bad[1]})"
                )
            raise InputError(f"{path}: the file is empty (expected a header row)")
        if len(set(header)) != len(header):
            dupes = sorted({h for h in header if header.count(h) > 1})
            raise InputError(f"{path}: the header repeats column(s) {_names(dupes)}")
        rows: list[Record] = []
        for fields in _csv_rows(path, reader):
            if len(fields) > len(header):
                raise InputError(
                    f"{path}, line {reader.line_num}: {len(fields)} fields, but the header "
                    f"has {len(header)}"
                )
            values = fields + [""] * (len(header) - len(fields))
            rows.append(dict(zip(header, values, strict=True)))
            if len(rows) >= CHUNK_ROWS:
                yield header, rows
                rows = []
        if rows:
            yield header, rows


def _csv_rows(path: Path, reader: _csv_reader) -> Iterator[list[str]]:
    """The reader's rows; a row it cannot read is an error naming its line."""
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None
        yield fields


def _as_text(value: object, path: Path, row: int) -> str:
    """The text to score: strings as they are, numbers as written, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"{path}, row {row + 1}: the text column holds {type(value).__name__}")


#: Characters that JSON leaves as they are but that many readers split lines at (Python's
#: ``str.splitlines``, JavaScript before ES2019): escaped, so one record stays one line.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(value: object, path: Path, row: int) -> str:
    """``value`` as strict JSON text on one line (never NaN or Infinity: such input is
    refused)."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False).translate(_LINE_BREAKS)
    except RecursionError:
        raise InputError(f"{path}, row {row + 1}: JSON nested too deeply to write") from None


def _csv_value(value: object, path: Path, row: int) -> object:
    return _json(value, path, row) if isinstance(value, (dict, list)) else value


def score_file(
    input_path: Path,
    output_path: Path,
    *,
    text_column: str = "text",
    scorer: Scorer | None = None,
    brand: BrandConfig | None = None,
) -> ScoreSummary:
    """Score ``input_path`` into ``output_path``; return how many rows and complaints.

    ``scorer``: a brand's (:func:`~pipeline.scoring.scorer.scorer_for`: its lexicon,
    categories, complaint threshold and handles, as the warehouse stores its posts); the
    default scorer when None. ``brand``: route each row by language as the warehouse does
    (:mod:`pipeline.scoring.routing`; a ``lang`` column is the declared language) and add
    :data:`ROUTED_COLUMNS`.
    """
    in_fmt, out_fmt = _format(input_path, "input"), _format(output_path, "output")
    if input_path.resolve() == output_path.resolve():
        raise InputError("the output file must differ from the input file")
    scorer = scorer or default_scorer()
    tmp = output_path.with_name(f".{output_path.name}.partial")
    try:
        output_path.parent.mkdir(parents=True, exist_ok=True)
        summary = _score_into(
            tmp,
            input_path,
            text_column=text_column,
            scorer=scorer,
            in_fmt=in_fmt,
            out_fmt=out_fmt,
            brand=brand,
        )
        tmp.replace(output_path)
    except OSError as exc:  # reading errors are InputErrors already: this is the output
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {output_path}: {_why(exc, output_path)}") from None
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    return summary


def _why(exc: OSError, output_path: Path) -> str:
    """What stopped writing: a file in the way of a folder, or the system's own words."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        for folder in reversed(output_path.parents):
            if folder.exists() and not folder.is_dir():
                return f"{folder} is a file, not a folder"
    return str(exc.strerror or exc)


def _score_into(
    tmp: Path,
    input_path: Path,
    *,
    text_column: str,
    scorer: Scorer,
    in_fmt: str,
    out_fmt: str,
    brand: BrandConfig | None = None,
) -> ScoreSummary:
    rows = complaints = 0
    learned = scorer.learned is not None
    score_columns = (*SCORE_COLUMNS, LEARNED_COLUMN) if learned else SCORE_COLUMNS
    added = (*score_columns, *ROUTED_COLUMNS) if brand is not None else score_columns
    writer: csv.DictWriter[str] | None = None
    with tmp.open("w", encoding="utf-8", newline="") as out:
        for columns, records in _read_chunks(input_path, in_fmt):
            if text_column not in columns:
                raise InputError(
                    f"{input_path}: no column {text_column!r} (columns: "
                    f"{_names(columns)}); choose one with --text-column"
                )
            clash = [c for c in added if c in columns]
            if clash:
                raise InputError(f"{input_path}: already has column(s) {_names(clash)}")
            texts = [
                _as_text(record.get(text_column), input_path, rows + offset)
                for offset, record in enumerate(records)
            ]
            # The chunk's scores (each row in its language with --brand), then the learned
            # complaint stage on them as a batch, where it runs: as the warehouse load does.
            declared = [
                record.get(LANG_COLUMN) if brand is not None else None for record in records
            ]
            routed = routing.route(
                brand, texts, [d if isinstance(d, str) else None for d in declared], scorer
            )
            scores: list[Score | None] = [r.score for r in routed]
            if brand is not None:
                for record, r in zip(records, routed, strict=True):
                    record.update(text_lang=r.text_lang, unscored_reason=r.unscored_reason)
            for record, score in zip(records, scores, strict=True):
                if score is None:  # unscored: another language
                    record.update(dict.fromkeys(score_columns))
                    continue
                record.update(
                    compound=score.compound,
                    sentiment_compound=score.sentiment_compound,
                    sentiment=score.sentiment.value,
                    is_complaint=score.is_complaint,
                    complaint_score=score.complaint_score,
                    complaint_category=score.complaint_category,
                )
                if learned:
                    record["learned_complaint_score"] = score.learned_complaint_score
                complaints += score.is_complaint
            if out_fmt == "jsonl":
                out.writelines(_json(r, input_path, rows + i) + "\n" for i, r in enumerate(records))
            else:
                if writer is None:
                    # RFC 4180's CRLF: Python's writer quotes a value holding any character
                    # of the line terminator, so a lone CR in a value stays in its field.
                    writer = csv.DictWriter(
                        out, fieldnames=[*columns, *added], lineterminator="\r\n"
                    )
                    writer.writeheader()
                extra = [c for c in columns if c not in writer.fieldnames]
                if extra:
                    raise InputError(
                        f"{input_path}: field(s) {', '.join(extra)} first appear after row "
                        f"{rows}; write JSONL output to keep records of different shapes"
                    )
                writer.writerows(
                    {k: _csv_value(v, input_path, rows + i) for k, v in r.items()}
                    for i, r in enumerate(records)
                )
            rows += len(records)
    return ScoreSummary(rows=rows, complaints=complaints)
