"""One cell of a CSV that a person may open in a spreadsheet: formulas defused.

Text that begins with =, +, -, @, a tab or a carriage return is run by Excel, LibreOffice
and Google Sheets as a formula ("CSV injection", OWASP): `=HYPERLINK("http://…")` in a
decision's reference becomes a link in the editor's report. Every CSV Vänort writes passes its
text cells through `defuse_formula` (the open data's plain CSV too: LibreOffice runs a
formula from it as well), the admin's export and the annual report's included.
"""

from __future__ import annotations

# What a spreadsheet takes as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(value):
    """Text a spreadsheet would run as a formula, with a leading apostrophe (shown as
    text, not stored in the cell); anything else, numbers included, unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
