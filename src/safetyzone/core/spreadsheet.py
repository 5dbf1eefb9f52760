"""Text cells that a spreadsheet opens safely: the one home of the formula-injection rule.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage
return as a formula, and the text in our exports comes from partners, citizens and devices.
On export such a text cell gets one leading ``'`` (OWASP's advice; the spreadsheet shows the
text without it), and on import exactly that one ``'`` is taken off again, so export ->
import is exact. Numbers are written as numbers: ``-12.5`` stays ``-12.5``.

Every CSV the platform writes (the asset registry, incident history and reports) goes
through :func:`csv_cell`; CSV files meant for Excel start with :data:`BOM` so Thai shows.
"""

from __future__ import annotations

FORMULA_START = frozenset("=+-@\t\r")
QUOTE = "'"
BOM = "\ufeff"  # lets Excel read a CSV as UTF-8, so Thai shows correctly


def _formula_like(text: str) -> bool:
    """Would a spreadsheet run it, once any quotes we added in front are taken off?"""
    return text.lstrip(QUOTE)[:1] in FORMULA_START


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, with one ``'`` in front; the rest as is.

    Text that already starts with quotes before such a character gets one more, so that
    ``restore`` (which takes exactly one off) gives back what was stored.
    """
    return QUOTE + text if _formula_like(text) else text


def restore(cell: str) -> str:
    """The inverse of ``neutralise``, for CSV cells read on import."""
    if cell.startswith(QUOTE) and _formula_like(cell[1:]):
        return cell[1:]
    return cell


def csv_cell(value: object) -> str:
    """A value as its CSV cell: numbers as numbers, text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return neutralise(";".join(str(item) for item in value))
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))
