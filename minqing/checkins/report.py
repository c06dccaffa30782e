"""The attendance report as an Excel workbook (one sheet, written in memory: a report lists one area's cadres)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minqing.areas.models import Area

from .selectors import ReportRow
from .workdays import Month


def _text(value: Any) -> Any:
    """Text loses the control characters a worksheet cannot hold."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def report_workbook(*, area: Area, month: Month, rows: Sequence[ReportRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = month.label
    sheet.append([_("%(area)s %(month)s 签到考勤") % {"area": area.name, "month": month.label}])
    sheet.append(
        [
            _("本月工作日 %(n)d 天，截至统计日应签到 %(due)d 天。")
            % {"n": len(month.workdays), "due": rows[0].due if rows else 0}
            + ("" if month.exact else _("（该年份法定节假日数据未收录，按周一至周五计算）"))
        ]
    )
    headers = [
        _("排名"),
        _("姓名"),
        _("账号"),
        _("岗位"),
        _("签到天数"),
        _("工作日签到"),
        _("应签到天数"),
        _("出勤率(%)"),
        _("被拒次数"),
    ]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row.rank,
                _text(row.user.get_full_name() or row.user.username),
                _text(row.user.username),
                _text("、".join(row.areas)),
                row.days,
                row.on_workdays,
                row.due,
                row.rate,
                row.refused,
            ]
        )
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl reads text starting with "=" as a formula: keep it text
                cell.data_type = "s"
    for index, width in enumerate([6, 12, 14, 30, 10, 10, 10, 10, 10], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
