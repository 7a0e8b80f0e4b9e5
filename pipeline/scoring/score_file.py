"""``brandpulse score``: score a CSV or JSONL file of posts, keeping every row in order.

The input is read in chunks (constant memory, any file size) with every value kept as the
text it was, so the output is the same rows, in the same order, plus the score columns.
A row whose text is empty or missing is scored as empty text (neutral, no complaint),
never dropped.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError, reading_input
from pipeline.scoring.scorer import Scorer, default_scorer

SCORE_COLUMNS = (
    "compound", "sentiment_compound", "sentiment", "is_complaint", "complaint_score",
    "complaint_category",
)  # fmt: skip
CHUNK_ROWS = 50_000

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    complaints: int


def _format(path: Path, role: str) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{role} file {path}: unknown extension (use .csv, .jsonl or .ndjson)")
    return fmt


Record = dict[str, object]


def _read_chunks(path: Path, fmt: str) -> Iterator[tuple[list[str], list[Record]]]:
    """(columns, records) chunks; CSV values stay the exact text of the file."""
    with reading_input(path):
        if fmt == "csv":
            yield from _csv_chunks(path)
            return
        with path.open(encoding="utf-8") as fh:
            rows: list[Record] = []
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path}, line {line_no}: not valid JSON ({exc.msg})"
                    ) from None
                if not isinstance(value, dict):
                    raise InputError(f"{path}, line {line_no}: expected a JSON object per line")
                rows.append(value)
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
            raise InputError(f"{path}: the file is empty (expected a header row)")
        if len(set(header)) != len(header):
            dupes = sorted({h for h in header if header.count(h) > 1})
            raise InputError(f"{path}: the header repeats column(s) {', '.join(dupes)}")
        rows: list[Record] = []
        for fields in reader:
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


def _as_text(value: object, path: Path, row: int) -> str:
    """The text to score: strings as they are, numbers as written, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"{path}, row {row + 1}: the text column holds {type(value).__name__}")


def _csv_value(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def score_file(
    input_path: Path,
    output_path: Path,
    *,
    text_column: str = "text",
    scorer: Scorer | None = None,
) -> ScoreSummary:
    """Score ``input_path`` into ``output_path``; return how many rows and complaints.

    ``scorer``: a brand's (:func:`~pipeline.scoring.scorer.scorer_for`: its lexicon,
    categories, complaint threshold and handles, as the warehouse stores its posts); the
    default scorer when None.
    """
    in_fmt, out_fmt = _format(input_path, "input"), _format(output_path, "output")
    if input_path.resolve() == output_path.resolve():
        raise InputError("the output file must differ from the input file")
    scorer = scorer or default_scorer()
    rows = complaints = 0
    writer: csv.DictWriter[str] | None = None
    tmp = output_path.with_name(f".{output_path.name}.partial")
    output_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tmp.open("w", encoding="utf-8", newline="") as out:
            for columns, records in _read_chunks(input_path, in_fmt):
                if text_column not in columns:
                    raise InputError(
                        f"{input_path}: no column {text_column!r} (columns: "
                        f"{', '.join(columns)}); choose one with --text-column"
                    )
                clash = [c for c in SCORE_COLUMNS if c in columns]
                if clash:
                    raise InputError(f"{input_path}: already has column(s) {', '.join(clash)}")
                for offset, record in enumerate(records):
                    text = _as_text(record.get(text_column), input_path, rows + offset)
                    score = scorer.score(text)
                    record.update(
                        compound=score.compound,
                        sentiment_compound=score.sentiment_compound,
                        sentiment=score.sentiment.value,
                        is_complaint=score.is_complaint,
                        complaint_score=score.complaint_score,
                        complaint_category=score.complaint_category,
                    )
                    complaints += score.is_complaint
                if out_fmt == "jsonl":
                    out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
                else:
                    if writer is None:
                        writer = csv.DictWriter(
                            out, fieldnames=[*columns, *SCORE_COLUMNS], lineterminator="\n"
                        )
                        writer.writeheader()
                    extra = [c for c in columns if c not in writer.fieldnames]
                    if extra:
                        raise InputError(
                            f"{input_path}: field(s) {', '.join(extra)} first appear after row "
                            f"{rows}; write JSONL output to keep records of different shapes"
                        )
                    writer.writerows({k: _csv_value(v) for k, v in r.items()} for r in records)
                rows += len(records)
        tmp.replace(output_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ScoreSummary(rows=rows, complaints=complaints)
