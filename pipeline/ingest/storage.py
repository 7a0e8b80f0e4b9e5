"""Where the pipeline's own files live: a local folder or an object store, through fsspec.

``BRANDPULSE_STORAGE`` names one location every host sees: a plain path, ``file:///abs/path``
or ``s3://bucket/prefix``. Landed batches go under ``<storage>/landing/`` and scored batches
under ``<storage>/scored/``. Unset, landing stays where it was (``BRANDPULSE_LANDING``, by
default ``<home>/landing``) and scored batches go to ``<home>/scored``: one host, one disk.

Locations are strings: a local path, or a URL with its protocol. S3 goes through obstore's
fsspec filesystem, which reads the standard AWS variables itself (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``, ``AWS_ENDPOINT_URL``); ``AWS_ENDPOINT_URL_S3``
wins over ``AWS_ENDPOINT_URL`` as in the AWS tools, and a plain-``http://`` endpoint (a test
server on 127.0.0.1) is allowed. (s3fs would need botocore, which cannot be installed next
to the python-dateutil this project pins.)

Writes are whole or absent: a local file is written under a temporary name and renamed; an
object store makes an object visible only once its upload completed. Nothing here
assumes that two tasks share a local disk.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pipeline.errors import ConfigError, StorageError
from pipeline.settings import Settings

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem  # type: ignore[import-untyped]


def is_local(location: str | os.PathLike[str]) -> bool:
    """True for a local path or ``file://`` URL."""
    text = os.fspath(location)
    return "://" not in text or text.startswith("file://")


def _protocol(location: str) -> str:
    return location.split("://", 1)[0] if "://" in location else "file"


def join(base: str | os.PathLike[str], *parts: str) -> str:
    """``base`` and ``parts`` joined with ``/`` (a local path stays a local path)."""
    text = os.fspath(base)
    if is_local(text):
        return str(Path(text).joinpath(*parts))
    return "/".join([text.rstrip("/"), *(p.strip("/") for p in parts)])


def landing_root(settings: Settings) -> str:
    """Where landed batches go: ``<storage>/landing``, else ``settings.landing``."""
    return join(settings.storage, "landing") if settings.storage else str(settings.landing)


def scored_root(settings: Settings) -> str:
    """Where scored batches go: ``<storage>/scored``, else ``<home>/scored``."""
    return join(settings.storage, "scored") if settings.storage else str(settings.home / "scored")


def _s3_options(env: Mapping[str, str]) -> dict[str, Any]:
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or ""
    options: dict[str, Any] = {}
    if endpoint:
        options["config"] = {"endpoint": endpoint}
        if endpoint.startswith("http://"):
            options["client_options"] = {"allow_http": True}
    return options


_FILESYSTEMS: dict[tuple[str, str], AbstractFileSystem] = {}


def filesystem(location: str) -> tuple[AbstractFileSystem, str]:
    """The fsspec filesystem for ``location`` and the path within it."""
    protocol = _protocol(location)
    if protocol == "file":
        from fsspec.implementations.local import (  # type: ignore[import-untyped]
            LocalFileSystem,
        )

        return LocalFileSystem(), location.removeprefix("file://")
    if protocol != "s3":
        raise ConfigError(f"unsupported storage location {location!r}")
    options = _s3_options(os.environ)
    key = (protocol, repr(sorted(options.items())))
    fs = _FILESYSTEMS.get(key)
    if fs is None:
        from obstore.fsspec import FsspecStore

        fs = FsspecStore("s3", **options)
        _FILESYSTEMS[key] = fs
    return fs, location.split("://", 1)[1]


#: Characters of the store's own message an error keeps (S3 servers answer with whole XML
#: documents; the first line says what went wrong).
_DETAIL_CHARS = 300


def _failed(action: str, location: str, exc: Exception) -> StorageError:
    lines = str(exc).strip().splitlines()
    detail = lines[0][:_DETAIL_CHARS] if lines else ""
    return StorageError(f"storage: cannot {action} {location}: {type(exc).__name__}: {detail}")


def exists(location: str) -> bool:
    fs, path = filesystem(location)
    try:
        return bool(fs.exists(path))
    except Exception as exc:
        raise _failed("check", location, exc) from exc


def size(location: str) -> int | None:
    """The size in bytes, or None when there is no such file."""
    fs, path = filesystem(location)
    try:
        return int(fs.size(path))
    except FileNotFoundError:
        return None
    except Exception as exc:
        raise _failed("stat", location, exc) from exc


def read_bytes(location: str) -> bytes:
    """The whole file; :class:`FileNotFoundError` when there is none."""
    fs, path = filesystem(location)
    try:
        return bytes(fs.cat_file(path))
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise _failed("read", location, exc) from exc


def read_text(location: str) -> str | None:
    """The file as UTF-8 text, or None when there is none."""
    try:
        return read_bytes(location).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None


@contextmanager
def open_text(location: str) -> Iterator[IO[str]]:
    """The file opened for reading text line by line (bad bytes replaced)."""
    if is_local(location):
        with open(location.removeprefix("file://"), encoding="utf-8", errors="replace") as fh:
            yield fh
        return
    import io

    fs, path = filesystem(location)
    try:
        raw = fs.open(path, "rb")
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise _failed("open", location, exc) from exc
    with raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace") as fh:
        yield fh


def write_bytes(location: str, data: bytes) -> None:
    """Write ``data`` whole: a reader sees the old file, or none, or all of the new one."""
    if is_local(location):
        target = Path(location.removeprefix("file://"))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    fs, path = filesystem(location)
    try:
        fs.pipe_file(path, data)  # one PUT: the object appears whole or not at all
    except Exception as exc:
        raise _failed("write", location, exc) from exc


def put_file(local: Path, location: str) -> None:
    """Copy the local file ``local`` to ``location``, whole (as :func:`write_bytes`)."""
    if is_local(location):
        target = Path(location.removeprefix("file://"))
        if target.resolve() == local.resolve():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            import shutil

            shutil.copyfile(local, tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    write_bytes(location, local.read_bytes())


def delete(location: str) -> bool:
    """Delete one file; False when there was none."""
    fs, path = filesystem(location)
    try:
        fs.rm_file(path)
    except FileNotFoundError:
        return False
    except Exception as exc:
        raise _failed("delete", location, exc) from exc
    return True


def delete_tree(location: str) -> int:
    """Delete everything under ``location`` (a folder, or a prefix); how many files went."""
    files = glob(join(location, "**"))
    for name in files:
        delete(name)
    if is_local(location):
        import shutil

        shutil.rmtree(location.removeprefix("file://"), ignore_errors=True)
    return len(files)


def glob(pattern: str) -> list[str]:
    """The files matching ``pattern`` (fsspec glob: ``*``, ``**``), as full locations, sorted."""
    fs, path = filesystem(pattern)
    try:
        found = fs.glob(path, detail=True)
    except FileNotFoundError:
        return []
    except Exception as exc:
        raise _failed("list", pattern, exc) from exc
    names = [name for name, info in dict(found).items() if info.get("type") == "file"]
    if is_local(pattern):
        return sorted(names)
    protocol = _protocol(pattern)
    return sorted(f"{protocol}://{name}" for name in names)


def name(location: str) -> str:
    """The last part of a location."""
    return location.rstrip("/").rsplit("/", 1)[-1]


def parent(location: str) -> str:
    """The location one level up."""
    return location.rstrip("/").rsplit("/", 1)[0]
