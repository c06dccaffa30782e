"""Stream rows into an .xlsx with openpyxl's write-only mode: rows go to disk as they come, never all in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2E6E6")


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """Plain values go in as they are; text is cleaned and never becomes a formula.

    A name or address typed as ``=HYPERLINK(...)`` would otherwise run as a formula when the file is opened
    (formula injection); openpyxl turns text starting with "=" into a formula, so such text is forced to a
    string cell.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(
    target: IO[bytes],
    *,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[Any]],
    on_progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> int:
    """Write one sheet (bold frozen header, set column widths) and return the number of data rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
        if on_progress is not None and count % every == 0:
            on_progress(count)
    book.save(target)
    return count
