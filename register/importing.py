"""What every importer shares (interop's import-pairs and import-wikidata, opendata's
import-register): reading a file with a clear refusal when it is missing or not UTF-8,
and the shape of a refusal that names its file and line. Imports are all or nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


class ImportRefused(Exception):
    """The whole file is refused; nothing was changed."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Refusal:
    """One row the importer could not use, and why."""

    line: int
    reason: str
    category: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def read_text(path: Path | str, *, byte_order_mark: bool = True) -> str:
    """The file's text, or ImportRefused: it cannot be read, or it is not UTF-8 (with the
    line of the first byte that is not). A UTF-8 byte order mark is dropped unless
    `byte_order_mark` is False (a JSON document must not start with one)."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportRefused(name, None, f"cannot be read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig" if byte_order_mark else "utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportRefused(
            name, line, f"is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        ) from None


# --- limits (issue 12 #9): every importer refuses a file too large to be what it says,
# and a field longer than the register can keep, with a way to allow more. ----------

_UNITS = {"": 1, "B": 1, "K": 1000, "KB": 1000, "M": 1000**2, "MB": 1000**2}
_UNITS |= {"G": 1000**3, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}


def parse_size(text: str) -> int:
    """'500MB', '2GB', '100k', '1048576' -> bytes; ValueError in words for anything else."""
    cleaned = str(text).strip().upper().replace(" ", "")
    number = cleaned.rstrip("KMGIB")
    unit = cleaned[len(number) :]
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"“{text}” is not a size (for example 500MB, 2GB or 1048576)") from None
    if unit not in _UNITS or value <= 0 or value != value:
        raise ValueError(f"“{text}” is not a size (for example 500MB, 2GB or 1048576)")
    return int(value * _UNITS[unit])


def size_text(size: int) -> str:
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def check_size(path: Path | str, max_size: int, option: str = "--max-size") -> None:
    """ImportRefused if the file is larger than max_size (before a byte is parsed)."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise ImportRefused(name, None, f"cannot be read: {exc.strerror}") from None
    if size > max_size:
        raise ImportRefused(
            name,
            None,
            f"is {size_text(size)}, more than the limit of {size_text(max_size)}; "
            f"give {option} to allow a larger file",
        )


# Control characters (C0, DEL and C1) have no place in a name; PostgreSQL cannot store
# NUL at all, and SQLite would keep "Lund\x00" as a place of its own.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In longer text, line breaks and tabs are text; the other control characters are not.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str, *, multiline: bool = False) -> str:
    """'' if the text is clean, else words naming the first control character."""
    found = (CONTROL_IN_TEXT if multiline else CONTROL_CHARACTERS).search(text)
    if found is None:
        return ""
    code, position = ord(found.group()), found.start() + 1
    return f"contains a control character (U+{code:04X}) at position {position}"


def iter_lines(path: Path | str, read: Callable[[int], object] | None = None) -> Iterator[str]:
    """The file's lines as text, one at a time (line endings kept, for the csv module), a
    UTF-8 byte order mark dropped; ImportRefused naming the line of the first byte that
    is not UTF-8, or when the file cannot be read. Memory: one line. `read` is told the
    number of bytes of each line (for a progress bar)."""
    name = str(path)
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 (closed below, after the check)
    except OSError as exc:
        raise ImportRefused(name, None, f"cannot be read: {exc.strerror}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if read is not None:
                read(len(raw))
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ImportRefused(
                    name, number, f"is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
                ) from None
