"""The one exception hierarchy of brandpulse.

Every error a user can meet derives from :class:`BrandpulseError` and carries a message
that says what went wrong and what to do about it. Secrets never appear in messages. The
command line prints such an error as one line and exits with 2; anything else is a bug.

    BrandpulseError
    ├── ConfigError              the brands file or a setting: names file, brand and field
    ├── InputError               a file or value given on the command line cannot be used
    │   └── UnreadableFileError  a dropped export cannot be read at all (quarantined whole)
    ├── SourceError              a source failed in a way a retry may fix
    │   ├── TransientSourceError one request failed (5xx, timeout, reset, bad body)
    │   └── RateLimitedError     429, with the provider's reset time when it says
    ├── SourceAuthError          a credential is missing, malformed or refused: no retry
    ├── StorageError             the storage (BRANDPULSE_STORAGE) cannot be read or written
    │   └── ScoredBatchError     a scored batch is missing or incomplete: rerun its score task
    ├── WarehouseError           DuckDB cannot be opened, migrated or written
    │   └── WarehouseLockedError another process holds the file: retry later
    ├── DeliveryError            an email was not handed over (retried; sent ones stay sent)
    └── QualityError             a quality suite failed on data bound for analysts

(``tests/unit/test_errors.py`` keeps this drawing and the classes in step.)
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path


class BrandpulseError(Exception):
    """Base class of every error brandpulse raises on purpose."""


class ConfigError(BrandpulseError):
    """The brands file (or another setting) is missing or invalid.

    The message names the file, the brand and the field.
    """


class InputError(BrandpulseError):
    """An input given on the command line (a file, a day) cannot be read or used as asked."""


class UnreadableFileError(InputError):
    """A dropped export as a whole cannot be read as CSV / JSONL text (its rows are not
    looked at); the file is quarantined with this message."""


class SourceError(BrandpulseError):
    """A post source failed in a way a retry may fix (network, rate limit, server error).

    What was fetched before the failure stays landed; the retry resumes after it.
    """


class TransientSourceError(SourceError):
    """One request failed (5xx, timeout, connection reset, malformed or truncated body)."""


class RateLimitedError(SourceError):
    """The provider answered 429; ``reset_at`` is when its window resets, when it says."""

    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class SourceAuthError(BrandpulseError):
    """A source's credential is missing, malformed or refused. Retrying will not help.

    The message names the Connection or environment variable to set, never the secret.
    """


class StorageError(BrandpulseError):
    """The storage where landed and scored batches live (a folder, an object store)
    failed to read, write, list or delete; a retry may fix it."""


class ScoredBatchError(StorageError):
    """A scored batch is missing, incomplete or not one brandpulse wrote: the write task
    cannot use it; rerun the score task that makes it."""


class WarehouseError(BrandpulseError):
    """The DuckDB warehouse cannot be opened, migrated or written."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the warehouse file; the operation may be retried later."""


class DeliveryError(BrandpulseError):
    """An email could not be handed to the SMTP server (retryable: what was sent stays sent)."""


class QualityError(BrandpulseError):
    """A quality suite failed on data that must not reach analysts (or could not run).

    The message names the suite, the brand, the batch and the failed expectations; the
    full results are in ``quality_results``.
    """


#: Bytes read at a time when looking for the first byte that is not UTF-8.
_SCAN_BYTES = 1 << 16


def first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """``(byte offset, line number)`` of the first byte of ``path`` that is not UTF-8, or None.

    A text stream's :class:`UnicodeDecodeError` counts from the start of the chunk it was
    decoding, not of the file; this rescans the file (only after such an error).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1  # bytes before the current chunk, newlines before it + 1
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_SCAN_BYTES):
                # Up to 3 bytes of an unfinished character wait in the decoder: an error's
                # position counts from the first of them.
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    before = exc.object[: exc.start]
                    return offset - pending + exc.start, lines + before.count(b"\n")
                offset += len(chunk)
                lines += chunk.count(b"\n")
            pending = len(decoder.getstate()[0])
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset - pending, lines  # the file ends inside a character
    except OSError:
        return None
    return None


def not_utf8(path: Path, exc: UnicodeDecodeError) -> InputError:
    """The error for a file that is not UTF-8 text, naming the byte (and line) where."""
    where = first_bad_utf8(path)
    at = f"byte {where[0]}, line {where[1]}" if where else f"byte {exc.start}"
    return InputError(f"{path}: not UTF-8 text ({exc.reason} at {at})")


@contextmanager
def reading_input(path: Path) -> Iterator[None]:
    """Turn the ways reading a user's text file fails into an :class:`InputError` naming it."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"input file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"input {path} is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except csv.Error as exc:
        raise InputError(f"{path}: not valid CSV ({exc})") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
