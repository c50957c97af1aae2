"""Spreadsheet cells no program runs: the OWASP rule against "CSV injection", for every download.

A text cell that begins with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula; with a leading apostrophe it is shown as the text it is. Numbers,
dates and other values are left as they are. Pure functions: the exports (present) and the
importer's problem report (io) both use them.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula


def inert(value):
    """A text that no spreadsheet runs: "'=1+1" for "=1+1"; numbers, dates and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
