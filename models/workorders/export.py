"""The hotline report as a flat sheet: the same rows as workOrderStatistics, as CSV or Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Font

from models.workorders.figures import Figures


def _percent(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator * 100:.2f}%" if denominator else ""


COLUMNS: list[tuple[str, Callable[[Figures], object]]] = [
    ("分组", lambda r: r.key),
    ("受理量", lambda r: r.received),
    ("签收量", lambda r: r.signed),
    ("办结量", lambda r: r.closed),
    ("不满意办结", lambda r: r.closed_unsatisfied),
    ("已答复", lambda r: r.replied),
    ("按时答复", lambda r: r.on_time),
    ("按时答复率", lambda r: _percent(r.on_time, r.replied)),
    ("回访数", lambda r: r.callbacks),
    ("满意数", lambda r: r.satisfied),
    ("满意率", lambda r: _percent(r.satisfied, r.callbacks)),
    ("退单", lambda r: r.returns),
    ("重办", lambda r: r.reworks),
    ("重复来电", lambda r: r.repeat_calls),
    ("平均答复天数", lambda r: "" if r.reply_days is None else f"{r.reply_days:.2f}"),
]


def to_csv(rows: list[Figures], names: dict[str, str]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["名称", *(title for title, _ in COLUMNS)])
    for row in rows:
        writer.writerow([names.get(row.key, row.key), *(get(row) for _, get in COLUMNS)])
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(rows: list[Figures], names: dict[str, str]) -> bytes:
    """One sheet, bold headers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101  (a new workbook has one sheet)
    sheet.title = "12345工单统计"
    sheet.append(["名称", *(title for title, _ in COLUMNS)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([names.get(row.key, row.key), *(get(row) for _, get in COLUMNS)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
