"""What every importer shares (interop's import-pairs and import-wikidata, opendata's
import-register): reading a file with a clear refusal when it is missing or not UTF-8,
and the shape of a refusal that names its file and line. Imports are all or nothing."""

from __future__ import annotations

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
