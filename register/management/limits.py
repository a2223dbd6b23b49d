"""The importers' limits on the command line, one way for every import command."""

from __future__ import annotations

import argparse

from register.importing import parse_size, size_text


def size_argument(text: str) -> int:
    """'500MB' and the like as bytes; argparse names the option when it is not a size."""
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_limit_arguments(parser, *, max_size: int, max_field: int, field_help: str) -> None:
    """--max-size and --max-field-length with the importer's defaults; `field_help` says
    what a too-long field refuses (a row, a free text), with {default} for the default."""
    parser.add_argument(
        "--max-size",
        type=size_argument,
        default=max_size,
        help=f"Refuse a larger file (default {size_text(max_size)}; e.g. 500MB).",
    )
    parser.add_argument(
        "--max-field-length",
        type=int,
        default=max_field,
        help=field_help.format(default=max_field),
    )
