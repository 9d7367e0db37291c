"""Writing a file whole: a reader, a crash or a second writer never sees half of it.

Every file the gateway writes in place (the catalog, ``config.ini``, Claude Desktop's config) is
filled under a temporary name beside it and renamed over it when complete. The temporary name is
unique to each writer, so two writers at once never write into the same temporary file: the last
to finish wins, whole.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: str | Path, mode: int | None = None) -> Iterator[Path]:
    """A new, empty temporary file beside ``path``; it replaces ``path`` when the block ends.

    Fill it however suits (write it, or let SQLite recreate it). It is flushed to disk before the
    rename. Its permissions become ``mode`` if given, else those of the file it replaces, else what
    the umask gives a new file; until then only the owner can read it (it may hold keys). If the
    block raises, the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp, new_file_mode = _reserve(target)
    try:
        yield temp
        _fsync(temp)
        os.chmod(temp, mode if mode is not None else _mode_of(target, new_file_mode))
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_directory(target.parent)


def atomic_write(path: str | Path, data: str | bytes, mode: int | None = None) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8) in one step; see ``replacing``."""
    with replacing(path, mode) as temp:
        temp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def _reserve(target: Path) -> tuple[Path, int]:
    """Create a temporary file no other writer can have: (its path, the mode the umask gives new files)."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            # Read back while it is still empty: the umask without os.umask(), which is process-wide.
            new_file_mode = stat.S_IMODE(os.fstat(fd).st_mode)
            if hasattr(os, "fchmod"):  # POSIX; Windows has no group/other bits to close
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        return temp, new_file_mode


def _mode_of(target: Path, default: int) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return default


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a directory, nor needs to)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some file systems refuse fsync on directories
            os.fsync(fd)
    finally:
        os.close(fd)
