"""hallCreate and departmentCreate through the registered operations."""

from __future__ import annotations

from strawberry.relay import to_base64

from models.accounts.tables import Role
from models.catalogue.tables import Department, Hall, HallLevel
from tests import factories as f
from tests.operations import run


async def test_city_admin_creates_a_hall_tree(db: object) -> None:
    _, actor = await f.user("cityadmin", Role.ADMIN)
    city = await run(
        "HallCreate",
        {
            "input": {
                "code": "JN",
                "name": "济南市政务服务中心",
                "level": "CITY",
                "region": "370100",
            }
        },
        actor=actor,
    )
    hall = city["data"]["hallCreate"]
    assert hall["__typename"] == "HallCreateSuccess"
    county = await run(
        "HallCreate",
        {
            "input": {
                "code": "LX",
                "name": "历下区政务服务中心",
                "level": "COUNTY",
                "region": "370102",
                "parentId": hall["hall"]["id"],
            }
        },
        actor=actor,
    )
    created = county["data"]["hallCreate"]["hall"]
    assert created["parent"]["code"] == "JN"
    root = await Hall.get(code="JN")
    county_row = await Hall.get(code="LX")
    assert county_row.path == f"{root.path}{county_row.id}/"
    assert created["id"] == to_base64("Hall", county_row.id)


async def test_hall_input_errors_name_every_field_and_store_nothing(db: object) -> None:
    _, actor = await f.user("cityadmin", Role.ADMIN)
    result = await run(
        "HallCreate",
        {
            "input": {
                "code": "bad code!",
                "name": "",
                "level": "CITY",
                "region": "12",
                "timezone": "Mars/Base",
            }
        },
        actor=actor,
    )
    error = result["data"]["hallCreate"]
    assert error["__typename"] == "InputError"
    fields = {tuple(v["field"]): v["code"] for v in error["violations"]}
    assert fields == {
        ("input", "code"): "INVALID_FORMAT",
        ("input", "name"): "REQUIRED",
        ("input", "region"): "INVALID_FORMAT",
        ("input", "timezone"): "INVALID_FORMAT",
    }
    assert error["field"] == ["input", "code"]
    assert await Hall.all().count() == 0


async def test_child_level_must_be_below_parent(db: object) -> None:
    _, actor = await f.user("cityadmin", Role.ADMIN)
    parent = await f.hall("JN")
    result = await run(
        "HallCreate",
        {
            "input": {
                "code": "X",
                "name": "另一个市级中心",
                "level": "CITY",
                "region": "370100",
                "parentId": to_base64("Hall", parent.id),
            }
        },
        actor=actor,
    )
    error = result["data"]["hallCreate"]
    assert (error["code"], error["field"]) == ("LEVEL_NOT_BELOW_PARENT", ["input", "level"])
    assert await Hall.all().count() == 1


async def test_duplicate_hall_code_is_a_conflict(db: object) -> None:
    _, actor = await f.user("cityadmin", Role.ADMIN)
    await f.hall("JN")
    result = await run(
        "HallCreate",
        {"input": {"code": "JN", "name": "重复的中心", "level": "CITY", "region": "370100"}},
        actor=actor,
    )
    error = result["data"]["hallCreate"]
    assert (error["__typename"], error["code"], error["field"]) == (
        "ConflictError",
        "DUPLICATE",
        ["input", "code"],
    )
    assert await Hall.filter(code="JN").count() == 1


async def test_hall_admin_cannot_create_root_or_reach_other_subtrees(db: object) -> None:
    jn = await f.hall("JN")
    qd = await f.hall("QD")
    _, actor = await f.user("jnadmin", Role.ADMIN, of=jn)
    root = await run(
        "HallCreate",
        {"input": {"code": "NEW", "name": "新中心", "level": "CITY", "region": "370100"}},
        actor=actor,
    )
    assert root["data"] is None
    assert root["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = await run(
        "HallCreate",
        {
            "input": {
                "code": "HD",
                "name": "黄岛区中心",
                "level": "COUNTY",
                "region": "370211",
                "parentId": to_base64("Hall", qd.id),
            }
        },
        actor=actor,
    )
    assert other["data"]["hallCreate"]["__typename"] == "NotFoundError"
    assert await Hall.all().count() == 2


async def test_clerk_cannot_create_departments(db: object) -> None:
    jn = await f.hall("JN")
    _, clerk = await f.user("clerk1", Role.CLERK, of=jn)
    result = await run(
        "DepartmentCreate",
        {"input": {"hallId": to_base64("Hall", jn.id), "code": "GA", "name": "市公安局"}},
        actor=clerk,
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Department.all().count() == 0


async def test_department_create_and_duplicates(db: object) -> None:
    jn = await f.hall("JN")
    _, actor = await f.user("jnadmin", Role.ADMIN, of=jn)
    hall_id = to_base64("Hall", jn.id)
    ok = await run(
        "DepartmentCreate",
        {"input": {"hallId": hall_id, "code": "GA", "name": "市公安局"}},
        actor=actor,
    )
    assert ok["data"]["departmentCreate"]["department"]["shortName"] == "市公安局"
    same_code = await run(
        "DepartmentCreate",
        {"input": {"hallId": hall_id, "code": "GA", "name": "市税务局"}},
        actor=actor,
    )
    assert same_code["data"]["departmentCreate"]["field"] == ["input", "code"]
    same_name = await run(
        "DepartmentCreate",
        {"input": {"hallId": hall_id, "code": "SW", "name": "市公安局"}},
        actor=actor,
    )
    assert same_name["data"]["departmentCreate"]["field"] == ["input", "name"]
    assert await Department.all().count() == 1


async def test_department_in_another_hall_is_not_found_and_not_created(db: object) -> None:
    jn = await f.hall("JN")
    qd = await f.hall("QD")
    _, actor = await f.user("jnadmin", Role.ADMIN, of=jn)
    result = await run(
        "DepartmentCreate",
        {"input": {"hallId": to_base64("Hall", qd.id), "code": "GA", "name": "市公安局"}},
        actor=actor,
    )
    assert result["data"]["departmentCreate"]["__typename"] == "NotFoundError"
    assert await Department.all().count() == 0


async def test_wrong_kind_of_id_is_an_input_error(db: object) -> None:
    jn = await f.hall("JN")
    _, actor = await f.user("jnadmin", Role.ADMIN, of=jn)
    result = await run(
        "DepartmentCreate",
        {"input": {"hallId": to_base64("Window", jn.id), "code": "GA", "name": "市公安局"}},
        actor=actor,
    )
    error = result["data"]["departmentCreate"]
    assert (error["code"], error["field"]) == ("INVALID_ID", ["input", "hallId"])


async def test_scoped_reads(db: object) -> None:
    jn = await f.hall("JN")
    lx = await f.hall("LX", parent=jn, level=HallLevel.COUNTY)
    qd = await f.hall("QD")
    _, city = await f.user("jnadmin", Role.ADMIN, of=jn)
    _, county = await f.user("lxclerk", Role.CLERK, of=lx)
    assert [h["code"] for h in (await run("Halls", actor=city))["data"]["halls"]] == ["JN", "LX"]
    assert [h["code"] for h in (await run("Halls", actor=county))["data"]["halls"]] == ["LX"]
    assert (await run("HallByCode", {"code": "QD"}, actor=city))["data"]["hall"] is None
    # The county's parent lies outside the clerk's scope: not revealed.
    assert (await run("HallByCode", {"code": "LX"}, actor=county))["data"]["hall"]["parent"] is None
    assert (await run("Node", {"id": to_base64("Hall", qd.id)}, actor=city))["data"]["node"] is None
    assert (await run("Node", {"id": to_base64("Hall", lx.id)}, actor=city))["data"]["node"][
        "code"
    ] == "LX"


async def test_reads_need_a_login(db: object) -> None:
    await f.hall("JN")
    result = await run("Halls")
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
