"""The process's work-order subscribers, woken by `work_order_event` notifications at commit."""

from __future__ import annotations

from api.case_feed import PostgresCaseFeed
from models.workorders.actions import WORK_ORDER_CHANNEL


class PostgresWorkOrderFeed(PostgresCaseFeed):
    """Like the case feed, keyed by order id: subscribers then read the events by `seq`."""

    channel = WORK_ORDER_CHANNEL
