"""A statistics table as a flat sheet: the same rows as the query, as CSV or Excel (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Font

from models.statistics.queries import Report, Row
from models.statistics.rules import Figures, Rate


def _percent(rate: Rate) -> str:
    return "" if rate.value is None else f"{rate.value * 100:.2f}%"


def _number(rate: Rate, digits: int = 1) -> str:
    return "" if rate.value is None else f"{rate.value:.{digits}f}"


def _minutes(rate: Rate) -> str:
    return "" if rate.value is None else f"{rate.value / 60:.1f}"


Column = tuple[str, Callable[[Row], object]]


def _figure(get: Callable[[Figures], object]) -> Callable[[Row], object]:
    return lambda row: get(row.figures)


COLUMNS: list[Column] = [
    ("受理量", _figure(lambda f: f.accepted)),
    ("上年同期受理量", lambda r: r.previous.accepted),
    ("同比增长", lambda r: _percent(r.growth)),
    ("工作日", _figure(lambda f: f.working_days)),
    ("日均受理量", _figure(lambda f: _number(f.daily_average))),
    ("即办件", _figure(lambda f: f.accepted_immediate)),
    ("即办件占比", _figure(lambda f: _percent(f.share("accepted_immediate")))),
    ("承诺件", _figure(lambda f: f.accepted_promised)),
    ("承诺件占比", _figure(lambda f: _percent(f.share("accepted_promised")))),
    ("联办件", _figure(lambda f: f.accepted_joint)),
    ("联办件占比", _figure(lambda f: _percent(f.share("accepted_joint")))),
    ("上报件", _figure(lambda f: f.accepted_reported)),
    ("上报件占比", _figure(lambda f: _percent(f.share("accepted_reported")))),
    ("办结量", _figure(lambda f: f.completed)),
    ("按时办结", _figure(lambda f: f.completed_on_time)),
    ("按时办结率", _figure(lambda f: _percent(f.on_time_rate))),
    ("提前办结", _figure(lambda f: f.completed_early)),
    ("提前办结率", _figure(lambda f: _percent(f.early_rate))),
    ("承诺件提前办结率", _figure(lambda f: _percent(f.promised_early_rate))),
    ("超期办结", _figure(lambda f: f.completed_overdue)),
    ("黄牌", _figure(lambda f: f.yellow_cards)),
    ("红牌", _figure(lambda f: f.red_cards)),
    ("评价数", _figure(lambda f: f.ratings)),
    ("好评", _figure(lambda f: f.ratings_good)),
    ("差评", _figure(lambda f: f.ratings_bad)),
    ("满意率", _figure(lambda f: _percent(f.satisfaction))),
    ("平均等候（分钟）", _figure(lambda f: _minutes(f.average_wait))),
    ("平均办理（分钟）", _figure(lambda f: _minutes(f.average_service))),
]
KEY_HEADERS = {
    "HALL": "大厅",
    "DEPARTMENT": "部门",
    "WINDOW": "窗口",
    "STAFF": "工作人员",
    "ITEM": "事项",
    "DAY": "日期",
    "MONTH": "月份",
}


def sheet(report: Report) -> list[list[object]]:
    """Header row, one row per group, then the total (the key columns say 合计)."""
    keys = [KEY_HEADERS[d.value] for d in report.group_by] or ["范围"]
    header: list[object] = [*keys, *(name for name, _ in COLUMNS)]
    lines: list[list[object]] = [header]
    for row in [*report.rows, report.total]:
        labels = list(row.labels) if row.key else ["合计"] * len(keys)
        lines.append([*labels, *(get(row) for _, get in COLUMNS)])
    return lines


def title(report: Report) -> str:
    """What the sheet covers."""
    return f"{report.hall.name} {report.period.start}至{report.period.end} 统计"


def to_csv(report: Report) -> bytes:
    """UTF-8 CSV with a byte-order mark, so that Excel opens the Chinese text right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(sheet(report))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """An Excel workbook: a title line, the header in bold, then the rows."""
    book = Workbook()
    ws = book.active
    ws.title = "统计"
    ws.append([title(report)])
    ws["A1"].font = Font(bold=True)
    for n, line in enumerate(sheet(report)):
        ws.append(line)
        if n == 0:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
