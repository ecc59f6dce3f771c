"""Service items: publish, versioned changes, delist/relist, search and paging."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64

from models.accounts.tables import Role
from models.catalogue.tables import ServiceItem, ServiceItemVersion
from tests import factories as f
from tests.operations import run


def item_input(department_id: int, **changes: Any) -> dict[str, Any]:
    base = {
        "departmentId": to_base64("Department", department_id),
        "code": "11370100MB2857001X4442117001",
        "name": "个体工商户设立登记",
        "kind": "PROMISED",
        "legalLimit": 15,
        "promisedLimit": 1,
        "dayUnit": "WORKING",
        "visitsRequired": 1,
        "legalBasis": "《促进个体工商户发展条例》第八条",
        "materials": [
            {"name": "经营者身份证明", "form": "ORIGINAL", "copies": 1},
            {"name": "授权委托书", "required": False, "condition": "委托代理人办理的"},
        ],
        "fees": [],
    }
    return {**base, **changes}


@pytest.fixture
async def setup(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监督管理局")
    _, admin = await f.user("jnadmin", Role.ADMIN, of=hall)
    return {"hall": hall, "dept": dept, "admin": admin}


async def test_create_item_with_all_elements(setup: dict[str, Any]) -> None:
    fee = {"name": "工本费", "amount": "20.00", "legalBasis": "《居民身份证工本费收费标准》"}
    result = await run(
        "ServiceItemCreate",
        {"input": item_input(setup["dept"].id, fees=[fee])},
        actor=setup["admin"],
    )
    item = result["data"]["serviceItemCreate"]["serviceItem"]
    assert item["pinyinInitials"] == "gtgshsldj"
    assert item["materials"][1] == {
        "name": "授权委托书",
        "form": "ORIGINAL",
        "copies": 1,
        "required": False,
        "condition": "委托代理人办理的",
    }
    assert item["fees"] == [
        {"name": "工本费", "amount": "20.00", "legalBasis": "《居民身份证工本费收费标准》"}
    ]
    assert (item["status"], item["listed"], item["version"]) == ("LISTED", True, 1)
    assert item["department"]["code"] == "SC"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"promisedLimit": 16}, "promisedLimit", "PROMISED_EXCEEDS_LEGAL"),
        ({"kind": "IMMEDIATE", "promisedLimit": 1}, "promisedLimit", "IMMEDIATE_HAS_NO_LIMIT"),
        ({"promisedLimit": 0}, "promisedLimit", "LIMIT_REQUIRED"),
        ({"legalLimit": -1}, "legalLimit", "OUT_OF_RANGE"),
        ({"code": "中文编码"}, "code", "INVALID_FORMAT"),
        ({"name": " "}, "name", "REQUIRED"),
        ({"visitsRequired": 11}, "visitsRequired", "OUT_OF_RANGE"),
        ({"steps": []}, "steps", "REQUIRED"),
    ],
)
async def test_item_rules_are_enforced(
    setup: dict[str, Any], changes: dict[str, Any], field: str, code: str
) -> None:
    result = await run(
        "ServiceItemCreate",
        {"input": item_input(setup["dept"].id, **changes)},
        actor=setup["admin"],
    )
    error = result["data"]["serviceItemCreate"]
    assert error["__typename"] == "InputError"
    assert {"field": ["input", field], "code": code} in [
        {"field": v["field"], "code": v["code"]} for v in error["violations"]
    ]
    assert error["message"]
    assert await ServiceItem.all().count() == 0
    assert await ServiceItemVersion.all().count() == 0


async def test_nested_material_and_fee_errors_carry_their_index(setup: dict[str, Any]) -> None:
    bad = item_input(
        setup["dept"].id,
        materials=[{"name": "身份证"}, {"name": "委托书", "required": False}],
        fees=[{"name": "费", "amount": "1.005", "legalBasis": "依据"}],
    )
    error = (await run("ServiceItemCreate", {"input": bad}, actor=setup["admin"]))["data"][
        "serviceItemCreate"
    ]
    fields = [v["field"] for v in error["violations"]]
    assert ["input", "materials", "1", "condition"] in fields
    assert ["input", "fees", "0", "amount"] in fields


async def test_duplicate_code_conflicts(setup: dict[str, Any]) -> None:
    await run("ServiceItemCreate", {"input": item_input(setup["dept"].id)}, actor=setup["admin"])
    again = await run(
        "ServiceItemCreate",
        {"input": item_input(setup["dept"].id, name="另一个")},
        actor=setup["admin"],
    )
    assert again["data"]["serviceItemCreate"]["code"] == "DUPLICATE"
    assert await ServiceItem.all().count() == 1


async def test_update_keeps_old_versions(setup: dict[str, Any]) -> None:
    created = await run(
        "ServiceItemCreate", {"input": item_input(setup["dept"].id)}, actor=setup["admin"]
    )
    item_id = created["data"]["serviceItemCreate"]["serviceItem"]["id"]
    updated = await run(
        "ServiceItemUpdate",
        {
            "input": {
                "id": item_id,
                "note": "压缩承诺时限",
                "legalLimit": 15,
                "promisedLimit": 1,
                "name": "个体工商户登记",
            }
        },
        actor=setup["admin"],
    )
    assert updated["data"]["serviceItemUpdate"]["serviceItem"]["version"] == 2
    detail = await run(
        "ServiceItemDetail", {"code": "11370100MB2857001X4442117001"}, actor=setup["admin"]
    )
    versions = detail["data"]["serviceItem"]["versions"]
    assert [(v["version"], v["elements"]["name"]) for v in versions] == [
        (2, "个体工商户登记"),
        (1, "个体工商户设立登记"),
    ]
    assert versions[0]["changeNote"] == "压缩承诺时限"
    assert versions[0]["changedBy"]["username"] == "jnadmin"


async def test_update_that_breaks_a_rule_changes_nothing(setup: dict[str, Any]) -> None:
    created = await run(
        "ServiceItemCreate", {"input": item_input(setup["dept"].id)}, actor=setup["admin"]
    )
    item_id = created["data"]["serviceItemCreate"]["serviceItem"]["id"]
    result = await run(
        "ServiceItemUpdate",
        {"input": {"id": item_id, "note": "改", "legalLimit": 0}},
        actor=setup["admin"],
    )
    assert result["data"]["serviceItemUpdate"]["code"] == "PROMISED_EXCEEDS_LEGAL"
    row = await ServiceItem.get()
    assert (row.version, row.legal_limit) == (1, 15)
    assert await ServiceItemVersion.all().count() == 1


async def test_update_needs_a_note_and_refuses_nulls(setup: dict[str, Any]) -> None:
    created = await run(
        "ServiceItemCreate", {"input": item_input(setup["dept"].id)}, actor=setup["admin"]
    )
    item_id = created["data"]["serviceItemCreate"]["serviceItem"]["id"]
    no_note = await run(
        "ServiceItemUpdate",
        {"input": {"id": item_id, "note": " ", "name": "新名称"}},
        actor=setup["admin"],
    )
    assert no_note["data"]["serviceItemUpdate"]["field"] == ["input", "note"]
    null = await run(
        "ServiceItemUpdate",
        {"input": {"id": item_id, "note": "改", "name": None}},
        actor=setup["admin"],
    )
    assert null["data"]["serviceItemUpdate"]["code"] == "NOT_NULLABLE"
    assert (await ServiceItem.get()).version == 1


async def test_delist_and_relist(setup: dict[str, Any]) -> None:
    created = await run(
        "ServiceItemCreate", {"input": item_input(setup["dept"].id)}, actor=setup["admin"]
    )
    item_id = created["data"]["serviceItemCreate"]["serviceItem"]["id"]
    no_reason = await run(
        "ServiceItemDelist", {"input": {"id": item_id, "reason": ""}}, actor=setup["admin"]
    )
    assert no_reason["data"]["serviceItemDelist"]["field"] == ["input", "reason"]
    delisted = await run(
        "ServiceItemDelist", {"input": {"id": item_id, "reason": "职能调整"}}, actor=setup["admin"]
    )
    item = delisted["data"]["serviceItemDelist"]["serviceItem"]
    assert (item["status"], item["listed"], item["delistReason"]) == ("DELISTED", False, "职能调整")
    assert item["delistedAt"] is not None
    twice = await run(
        "ServiceItemDelist", {"input": {"id": item_id, "reason": "再次"}}, actor=setup["admin"]
    )
    assert twice["data"]["serviceItemDelist"] | {"message": ""} == {
        "__typename": "StateError",
        "code": "ILLEGAL_ITEM_STATE",
        "message": "",
        "currentState": "DELISTED",
    }
    relisted = await run("ServiceItemRelist", {"input": {"id": item_id}}, actor=setup["admin"])
    assert relisted["data"]["serviceItemRelist"]["serviceItem"]["listed"] is True


async def test_clerk_cannot_change_items(setup: dict[str, Any]) -> None:
    created = await run(
        "ServiceItemCreate", {"input": item_input(setup["dept"].id)}, actor=setup["admin"]
    )
    item_id = created["data"]["serviceItemCreate"]["serviceItem"]["id"]
    _, clerk = await f.user("clerk1", Role.CLERK, of=setup["hall"])
    result = await run(
        "ServiceItemUpdate", {"input": {"id": item_id, "note": "改", "name": "篡改"}}, actor=clerk
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    delist = await run("ServiceItemDelist", {"input": {"id": item_id, "reason": "x"}}, actor=clerk)
    assert delist["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    row = await ServiceItem.get()
    assert (row.name, row.version, row.status) == ("个体工商户设立登记", 1, "LISTED")


async def test_admin_of_another_hall_cannot_touch_items(setup: dict[str, Any]) -> None:
    created = await run(
        "ServiceItemCreate", {"input": item_input(setup["dept"].id)}, actor=setup["admin"]
    )
    item_id = created["data"]["serviceItemCreate"]["serviceItem"]["id"]
    other = await f.hall("QD")
    _, stranger = await f.user("qdadmin", Role.ADMIN, of=other)
    result = await run(
        "ServiceItemDelist", {"input": {"id": item_id, "reason": "x"}}, actor=stranger
    )
    assert result["data"]["serviceItemDelist"]["__typename"] == "NotFoundError"
    assert (
        await run("ServiceItemDetail", {"code": "11370100MB2857001X4442117001"}, actor=stranger)
    )["data"]["serviceItem"] is None
    assert (await ServiceItem.get()).status == "LISTED"


async def test_search_by_name_code_and_pinyin(setup: dict[str, Any]) -> None:
    dept = setup["dept"]
    await f.item(dept, "CODE-0001", "个体工商户设立登记")
    await f.item(dept, "CODE-0002", "食品经营许可")
    await f.item(dept, "CODE-0003", "银行开户许可")

    async def codes(text: str) -> list[str]:
        result = await run("ServiceItems", {"filter": {"text": text}}, actor=setup["admin"])
        return [e["node"]["code"] for e in result["data"]["serviceItems"]["edges"]]

    assert await codes("gtgsh") == ["CODE-0001"]
    assert await codes("GTGSH") == ["CODE-0001"]
    assert await codes("shipin") == ["CODE-0002"]
    assert await codes("许可") == ["CODE-0002", "CODE-0003"]
    assert await codes("0003") == ["CODE-0003"]
    assert await codes("yhkh") == ["CODE-0003"]
    assert await codes("zzzz") == []


async def test_filters_and_keyset_paging(setup: dict[str, Any]) -> None:
    for n in range(7):
        await f.item(setup["dept"], f"CODE-{n:04d}", f"事项{n}")
    seen: list[str] = []
    after = None
    while True:
        page = (await run("ServiceItems", {"first": 3, "after": after}, actor=setup["admin"]))[
            "data"
        ]["serviceItems"]
        assert page["totalCount"] == 7
        seen += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"CODE-{n:04d}" for n in range(7)]
    await run(
        "ServiceItemDelist",
        {
            "input": {
                "id": to_base64("ServiceItem", (await ServiceItem.get(code="CODE-0003")).id),
                "reason": "调整",
            }
        },
        actor=setup["admin"],
    )
    listed = await run("ServiceItems", {"filter": {"listed": False}}, actor=setup["admin"])
    assert [e["node"]["code"] for e in listed["data"]["serviceItems"]["edges"]] == ["CODE-0003"]


@pytest.mark.parametrize(
    ("variables", "field"), [({"first": 101}, ["first"]), ({"after": "!!"}, ["after"])]
)
async def test_bad_paging_arguments_are_top_level_input_errors(
    setup: dict[str, Any], variables: dict[str, Any], field: list[str]
) -> None:
    result = await run("ServiceItems", variables, actor=setup["admin"])
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert result["errors"][0]["extensions"]["field"] == field


async def test_joint_item_with_its_co_handling_departments(setup: dict[str, Any]) -> None:
    other = await f.department(setup["hall"], "ZJ", "市住建局")
    elsewhere = await f.department(await f.hall("QD"), "ZJ", "青岛市住建局")
    joint = [{"departmentId": to_base64("Department", other.id), "limit": 1}]
    created = await run(
        "ServiceItemCreate",
        {
            "input": item_input(
                setup["dept"].id, kind="JOINT", jointDepartments=joint, investmentProject=True
            )
        },
        actor=setup["admin"],
    )
    item = created["data"]["serviceItemCreate"]["serviceItem"]
    assert item["investmentProject"] is True
    assert item["jointDepartments"] == [
        {"limit": 1, "department": {"id": joint[0]["departmentId"], "name": "市住建局"}}
    ]
    cases = ((setup["dept"].id, "LEAD_DEPARTMENT", "2"), (elsewhere.id, "NOT_FOUND", "3"))
    for department, code, suffix in cases:
        bad = [{"departmentId": to_base64("Department", department), "limit": 1}]
        result = await run(
            "ServiceItemCreate",
            {
                "input": item_input(
                    setup["dept"].id,
                    code=f"11370100MB2857001X444211700{suffix}",
                    kind="JOINT",
                    jointDepartments=bad,
                )
            },
            actor=setup["admin"],
        )
        error = result["data"]["serviceItemCreate"]
        assert (error["code"], error["field"]) == (
            code,
            ["input", "jointDepartments", "0", "departmentId"],
        )
