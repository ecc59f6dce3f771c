"""The statistics query through GraphQL: the table, its rates, and who may read what."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from strawberry.relay import to_base64
from strawberry.utils.str_converters import to_camel_case

from models.accounts.tables import Role
from models.catalogue.tables import Hall
from tests import factories as f
from tests.models.test_statistics import _a_day_of_work, _hall
from tests.operations import document as operation_text
from tests.operations import run

PERIOD = {"from": "2026-11-01", "to": "2026-12-31"}


@pytest.fixture
async def desk(db: object) -> dict[str, Any]:
    h = await _hall()
    await _a_day_of_work(h)
    _, screen = await f.user("screen", Role.MONITOR, of=h["hall"])
    other = await f.hall("QD")
    _, outsider = await f.user("qd_admin", Role.ADMIN, of=other)
    return {**h, "screen": screen, "outsider": outsider, "other": other}


def _filter(desk: dict[str, Any], **more: str) -> dict[str, Any]:
    return {"hallId": to_base64("Hall", desk["hall"].id), **PERIOD, **more}


async def test_the_table_by_department(desk: dict[str, Any]) -> None:
    result = await run(
        "Statistics", {"filter": _filter(desk), "groupBy": ["DEPARTMENT"]}, actor=desk["admin"]
    )
    assert result["errors"] == []
    table = result["data"]["statistics"]
    assert (table["source"], table["previousFrom"]) == ("ROLLUP", "2025-11-01")
    total = table["total"]["figures"]
    assert total["accepted"] == 4
    assert total["immediate"] == {"numerator": 1, "denominator": 4, "value": 0.25}
    assert total["onTime"]["numerator"] == 2
    assert total["satisfaction"]["denominator"] == 3
    assert total["averageWait"] == {"totalSeconds": 600.0, "count": 2, "averageSeconds": 300.0}
    assert table["total"]["acceptedGrowth"] == {"numerator": 4, "denominator": 0, "value": None}
    rows = {r["label"]: r["figures"]["accepted"] for r in table["rows"]}
    # Tickets called at general windows belong to no department.
    assert rows == {"市市场监管局": 3, "市公安局": 1, "（未指定）": 0}
    raw = await run(
        "Statistics",
        {"filter": _filter(desk), "groupBy": ["DEPARTMENT"], "source": "RAW"},
        actor=desk["admin"],
    )
    assert raw["data"]["statistics"]["rows"] == table["rows"]


async def test_a_screen_sees_hall_figures_but_never_staff(desk: dict[str, Any]) -> None:
    by_day = await run(
        "Statistics", {"filter": _filter(desk), "groupBy": ["DAY"]}, actor=desk["screen"]
    )
    assert by_day["errors"] == []
    assert by_day["data"]["statistics"]["rows"][0]["key"] == "2026-11-20"
    denied = await run(
        "Statistics", {"filter": _filter(desk), "groupBy": ["STAFF"]}, actor=desk["screen"]
    )
    assert denied["data"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("who", "more"),
    [
        ("outsider", {}),
        ("chief", {"departmentId": "ga"}),
        ("clerk1", {"staffId": "clerk2"}),
    ],
)
async def test_denied_requests_are_forbidden(
    desk: dict[str, Any], who: str, more: dict[str, str]
) -> None:
    given: dict[str, str] = {}
    for field, ref in more.items():
        given[field] = (
            to_base64("Department", desk[ref].id)
            if field == "departmentId"
            else to_base64("User", desk[ref].user_id)
        )
    result = await run("Statistics", {"filter": _filter(desk, **given)}, actor=desk[who])
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_plain_resolver_answers_as_strawberrys_wrapper(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's root field runs without strawberry's per-field wrapper (schema.hot_fields):
    the same data and the same errors as strawberry's own resolver, whatever goes wrong."""
    from graphql import GraphQLObjectType  # noqa: PLC0415
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext  # noqa: PLC0415

    from schema.context import Context  # noqa: PLC0415
    from schema.hot_fields import REPLACED  # noqa: PLC0415
    from schema.schema import schema  # noqa: PLC0415

    query = schema._schema.query_type
    assert isinstance(query, GraphQLObjectType)
    field = query.fields["statistics"]
    plain, wrapped = field.resolve, REPLACED["Query", "statistics"]
    assert "plain_resolver" in getattr(plain, "__qualname__", ""), plain
    dept = {"departmentId": to_base64("Department", desk["sc"].id)}
    asked: list[tuple[Any, dict[str, Any]]] = [
        (desk["admin"], {"filter": _filter(desk), "groupBy": ["DEPARTMENT", "MONTH"]}),
        (desk["admin"], {"filter": _filter(desk, **dept), "source": "RAW"}),
        (desk["chief"], {"filter": _filter(desk), "groupBy": ["STAFF"]}),
        (desk["screen"], {"filter": _filter(desk), "groupBy": ["STAFF"]}),
        (desk["outsider"], {"filter": _filter(desk)}),
        (None, {"filter": _filter(desk)}),
        (desk["admin"], {"filter": {**_filter(desk), "from": "2026-12-31"}}),
        (desk["admin"], {"filter": _filter(desk), "groupBy": ["DAY", "MONTH"]}),
        (desk["admin"], {"filter": _filter(desk, departmentId=to_base64("Window", 1))}),
        (desk["admin"], {"filter": _filter(desk, departmentId="not a global id")}),
    ]

    async def ask(actor: Any, variables: dict[str, Any]) -> tuple[Any, list[Any]]:
        result = await schema.execute(
            operation_text("Statistics"),
            variable_values=variables,
            context_value=Context(actor=actor),
        )
        return result.data, [e.formatted for e in result.errors or []]

    answers = [await ask(actor, variables) for actor, variables in asked]
    # strawberry's resolver, on graphql-core's executor (compiled plans keep the resolver
    # they were made with).
    monkeypatch.setattr(field, "resolve", wrapped)
    monkeypatch.setattr(schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
    for (actor, variables), answer in zip(asked, answers, strict=True):
        assert answer == await ask(actor, variables), variables
        assert answer[0] is not None or answer[1], variables


async def test_a_backwards_period_is_an_input_error(desk: dict[str, Any]) -> None:
    bad = {**_filter(desk), "from": "2026-12-31", "to": "2026-11-01"}
    result = await run("Statistics", {"filter": bad}, actor=desk["admin"])
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert result["errors"][0]["extensions"]["field"] == ["filter", "to"]


async def test_red_flag_windows_of_a_quarter(desk: dict[str, Any]) -> None:
    variables = {
        "hallId": to_base64("Hall", desk["hall"].id),
        "period": "2026-Q4",
        "kind": "RED_FLAG_WINDOW",
        "minRatings": 1,
    }
    result = await run("Rankings", variables, actor=desk["screen"])
    assert result["errors"] == []
    ranking = result["data"]["rankings"]
    assert (ranking["from"], ranking["to"]) == ("2026-10-01", "2026-12-31")
    # Window 2: 40 (all good) + 30 (on time) + 20 x 1/3 + 10 (no card) = 86.67.
    # Window 1: 40 x 1/2 + 30 x 1/2 + 20 + (10 - 2 x 2 red - 0.5 x 2 yellow) = 60.
    assert [(e["rank"], e["label"], e["score"]) for e in ranking["entries"]] == [
        (1, "2号 2号窗口", 86.67),
        (2, "1号 1号窗口", 60.0),
    ]
    assert ranking["entries"][1]["satisfaction"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    fussy = await run("Rankings", {**variables, "minRatings": 2}, actor=desk["screen"])
    assert [e["rank"] for e in fussy["data"]["rankings"]["entries"]] == [1]


async def test_service_stars_of_a_month_are_for_staff_only(desk: dict[str, Any]) -> None:
    variables = {
        "hallId": to_base64("Hall", desk["hall"].id),
        "period": "2026-11",
        "kind": "SERVICE_STAR",
        "minRatings": 1,
    }
    result = await run("Rankings", variables, actor=desk["admin"])
    entries = result["data"]["rankings"]["entries"]
    # November: clerk1 took three cases, one decided early and rated well, no card yet.
    assert [(e["objectId"], e["score"]) for e in entries] == [
        (to_base64("User", desk["clerk1"].user_id), 100.0),
        (to_base64("User", desk["clerk2"].user_id), 86.67),
    ]
    denied = await run("Rankings", variables, actor=desk["screen"])
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await run("Rankings", {**variables, "period": "2026-13"}, actor=desk["admin"])
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


GROWTH_ONLY = """query G($f: StatisticsFilter!, $s: StatisticsSource) {
  statistics(filter: $f, source: $s) { source total { figures { accepted satisfaction { numerator denominator } averageWait { totalSeconds count } } acceptedGrowth { numerator denominator } } }
}"""
WITH_LAST_YEAR = """query Y($f: StatisticsFilter!, $s: StatisticsSource) {
  statistics(filter: $f, source: $s) { source total { ...Last } }
}
fragment Last on StatisticsRow { acceptedGrowth { value } previousYear { accepted yellowCards satisfaction { numerator denominator } averageWait { totalSeconds count } } }"""


async def _generated_year(code: str, name: str, *, seed: int) -> tuple[Any, Any, Any]:
    """A small generated hall's two years (shape, what was written) and its ADMIN."""
    from models.statistics.generator import PRESETS, generate  # noqa: PLC0415

    shape = dataclasses.replace(
        PRESETS["real-hall"].scaled(1_000), departments=3, windows=6, items=40
    )
    written = await generate(code, name, shape, seed=seed)
    _, admin = await f.user(
        f"{code.lower()}_admin", Role.ADMIN, of=await Hall.get(id=written.hall_id)
    )
    return shape, written, admin


def _asker(admin: Any, hall_id: int) -> Callable[[str, str | None], Awaitable[dict[str, Any]]]:
    """Runs a statistics document over the hall's 2021 from a source; its table, source checked."""
    from schema.context import Context  # noqa: PLC0415
    from schema.schema import schema  # noqa: PLC0415

    year = {"hallId": to_base64("Hall", hall_id), "from": "2021-01-01", "to": "2021-12-31"}

    async def ask(document: str, source: str | None) -> dict[str, Any]:
        result = await schema.execute(
            document, variable_values={"f": year, "s": source}, context_value=Context(actor=admin)
        )
        assert not result.errors, result.errors
        assert result.data is not None
        table: dict[str, Any] = result.data["statistics"]
        assert table.pop("source") == (source or "ROLLUP")
        return table

    return ask


async def test_the_raw_path_reads_only_last_years_counters_the_query_asks_for(db: object) -> None:
    """Without `previousYear` the raw path reads last year's accepted cases alone (for the
    growth); asked for in a fragment, every counter of last year: both equal the rollups."""
    shape, written, admin = await _generated_year("GEN", "生成数据中心", seed=3)
    ask = _asker(admin, written.hall_id)

    for document in (GROWTH_ONLY, WITH_LAST_YEAR):
        assert await ask(document, "RAW") == await ask(document, None)
    last = (await ask(WITH_LAST_YEAR, "RAW"))["total"]["previousYear"]
    assert last["accepted"] == shape.previous_accepted
    assert last["satisfaction"]["denominator"] > 0
    assert last["averageWait"]["count"] > 0
    assert last["yellowCards"] > 0
    # The model reads only what was asked: last year's accepted cases, not its ratings.
    from models.statistics.queries import StatRequest, statistics  # noqa: PLC0415
    from models.statistics.rules import GroupBy, Source  # noqa: PLC0415

    raw = StatRequest(date(2021, 1, 1), date(2021, 12, 31), written.hall_id, source=Source.RAW)
    slim = dataclasses.replace(raw, previous_counters=frozenset({"accepted"}))
    full, growth = (await statistics(admin, raw)).total, (await statistics(admin, slim)).total
    assert (growth.figures, growth.growth) == (full.figures, full.growth)
    assert (growth.previous.ratings, full.previous.ratings > 0) == (0, True)
    # Grouped rows are keyed by both years' groups: every counter of last year is read.
    by_dept = dataclasses.replace(slim, group_by=(GroupBy.DEPARTMENT,))
    grouped = await statistics(admin, by_dept)
    assert grouped.total.previous == full.previous


def test_each_figure_is_made_of_the_counters_it_lists() -> None:
    """A figure computed from its listed counters alone equals the figure from all of them:
    a raw total that reads only those counters shows the same figure."""
    import random  # noqa: PLC0415

    from models.statistics.parts import COUNTERS  # noqa: PLC0415
    from models.statistics.rules import Figures  # noqa: PLC0415
    from schema.types.statistics import FIGURE_COUNTERS, StatisticsFigures  # noqa: PLC0415

    fields = StatisticsFigures.__strawberry_definition__.fields  # type: ignore[attr-defined]
    names = {field.graphql_name or to_camel_case(field.python_name) for field in fields}
    assert names == set(FIGURE_COUNTERS)
    rng = random.Random(7)  # noqa: S311  (test data, not secrets)
    for _ in range(20):
        every = {c: rng.randrange(1, 10_000) for c in COUNTERS}
        full = StatisticsFigures.of(Figures(every, working_days=250))
        for field in fields:
            name = field.graphql_name or to_camel_case(field.python_name)
            only = {c: v for c, v in every.items() if c in FIGURE_COUNTERS[name]}
            alone = StatisticsFigures.of(Figures(only, working_days=250))
            assert getattr(alone, field.python_name) == getattr(full, field.python_name), name


CARDS_ONLY = """query C($f: StatisticsFilter!, $s: StatisticsSource) {
  statistics(filter: $f, source: $s) { source total { figures { yellowCards redCards } } }
}"""
EVERY_FIGURE = """query E($f: StatisticsFilter!, $s: StatisticsSource) {
  statistics(filter: $f, source: $s) { source total { figures { ...All } acceptedGrowth { numerator denominator } } }
}
fragment All on StatisticsFigures { accepted workingDays dailyAverage { numerator denominator }
  immediate { numerator } promised { numerator } joint { numerator } reported { numerator }
  completed onTime { numerator denominator } early { numerator } promisedEarly { numerator denominator }
  overdue yellowCards redCards ratings good bad satisfaction { numerator } averageGrade { numerator }
  averageWait { totalSeconds count } averageService { totalSeconds count } }"""


async def test_a_raw_total_reads_only_the_figures_the_query_selects(db: object) -> None:
    """A raw total computes the counters of the selected figures alone; each selection gives
    the rollups' figures, and a card-only table reads no rating, ticket or case."""
    from models.statistics.queries import StatRequest, statistics  # noqa: PLC0415
    from models.statistics.rules import Source  # noqa: PLC0415

    shape, written, admin = await _generated_year("SEL", "选择数据中心", seed=5)
    ask = _asker(admin, written.hall_id)

    for document in (CARDS_ONLY, EVERY_FIGURE, GROWTH_ONLY):
        assert await ask(document, "RAW") == await ask(document, None)
    every = (await ask(EVERY_FIGURE, "RAW"))["total"]["figures"]
    assert every["yellowCards"] > 0
    assert every["ratings"] > 0
    assert every["averageWait"]["count"] > 0
    # The model reads what the request names: cards alone leave ratings and tickets unread.
    raw = StatRequest(date(2021, 1, 1), date(2021, 12, 31), written.hall_id, source=Source.RAW)
    cards = dataclasses.replace(raw, current_counters=frozenset({"yellow_cards", "red_cards"}))
    full, slim = (await statistics(admin, raw)).total, (await statistics(admin, cards)).total
    assert (slim.figures.yellow_cards, slim.figures.red_cards) == (
        full.figures.yellow_cards,
        full.figures.red_cards,
    )
    assert (slim.figures.ratings, slim.figures.accepted, slim.figures.tickets_called) == (0, 0, 0)
    assert full.figures.accepted == shape.accepted


def test_the_table_views_compute_every_field_and_only_those_read() -> None:
    """Each view of the table's types has a computation for every data field of its type, and
    a figure nobody reads is never built (a table of many rows often shows a few figures)."""
    from models.statistics.parts import COUNTERS  # noqa: PLC0415
    from models.statistics.queries import Row  # noqa: PLC0415
    from models.statistics.rules import Figures  # noqa: PLC0415
    from schema.types import statistics as types  # noqa: PLC0415

    views: tuple[tuple[Any, Any, set[str]], ...] = (
        (types._FiguresView, types.StatisticsFigures, set()),
        (types._RowView, types.StatisticsRow, {"row"}),  # private: the view is made with it
        (types._TableView, types.StatisticsTable, set()),
    )
    for view, of, given in views:
        definition = of.__strawberry_definition__
        fields = {field.python_name for field in definition.fields}
        assert set(view.FIELDS) == fields - given, of
    counts = dict.fromkeys(COUNTERS, 3) | {"accepted": 4, "completed_on_time": 1}
    row = Row(key=(), labels=("合计",), figures=Figures(counts, 20), previous=Figures({}, 19))
    shown = types.StatisticsRow.of(row, ())
    figures = shown.figures
    assert (figures.accepted, figures.on_time.value) == (4, 1 / 3)
    assert {"accepted", "on_time"} <= vars(figures).keys()
    assert not {"daily_average", "satisfaction", "average_wait"} & vars(figures).keys()
    assert "previous_year" not in vars(shown)
    assert (shown.key, shown.label, shown.keys) == ("total", "合计", [])
    assert shown.accepted_growth.numerator == 4
    assert shown.previous_year.working_days == 19
