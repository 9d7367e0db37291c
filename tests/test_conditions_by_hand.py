"""Conditions checked against answers worked out by hand, not by either parser.

The gateway parses conditions to check them (``cwm_gateway.conditions``); the stand-in evaluates
them with its own reader (``cwm_gateway.sandbox.conditions``). Were either to misread a filter,
comparing one with the other could not tell. Here each filter is sent through execute_api_call
to the stand-in's sample data, and the records that must come back were picked by reading the
sample tables (``sandbox/data.py``: ``_CLIENTS``, ``_MEMBERS``, ``_PRIORITIES``, ``_BOARDS``, and
the values its fixed seed gives) with the eye:

    id   company                        state  market         employees  suite  status
    250  Lab Tech Demo                  OH     Technology       8               Active
    251  Acme Dental Group              OH     Healthcare      25        213
    252  Brightwater Logistics          FL     Transportation  75
    253  Cedar Ridge Law                CO     Legal            8
    254  Dunmore Manufacturing          PA     Manufacturing    8        275
    255  Evergreen Family Practice      OR     Healthcare      25
    256  Fairview Credit Union          WI     Finance         40
    257  Granite Peak Construction      ID     Construction    40
    258  Harborview Realty              SC     Real Estate      8
    259  Ironwood Accounting            OK     Finance         12        314
    260  Juniper Veterinary Clinic      TX     Healthcare     120
    261  Keystone Insurance Partners    PA     Finance         75        177
    262  Lakeside Montessori School     MN     Education       40
    263  Meridian Engineering           NC     Engineering      8        370
    264  Northgate Auto Group           NE     Retail          75
    265  Oakmont Senior Living          KY     Healthcare       8
    266  Pinnacle Wealth Advisors       AZ     Finance         25        152
    267  Quarry Lane Brewing            NC     Hospitality     40
    268  Riverbend Orthopedics          TN     Healthcare     120        165
    269  Summit Architecture            UT     Engineering     40        432    (Salt Lake City)
    270  Tidewater Marine Supply        VA     Retail          40
    271  Union Street Bakery            GA     Hospitality     12               Inactive
    272  Valley Home Health             CA     Healthcare      25        416
    273  Westbrook Property Management  IN     Real Estate      8        150
    274  Yellowstone Outfitters         MT     Retail         120               Not-Approved
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cwm_gateway.sandbox.conditions import ConditionsError, read_conditions
from cwm_gateway.sandbox.server import lookup

COMPANIES = {
    "state = 'PA'": [254, 261],
    'state = "pa"': [254, 261],  # text compares regardless of case
    "market/name = 'Healthcare' and state not in ('OH', 'OR')": [260, 265, 268, 272],
    "name like 'S%' or name contains 'BAKERY'": [269, 271],
    "(city = 'Salt Lake City' or state = 'NC') and status/name != 'Inactive'": [263, 267, 269],
    "numberOfEmployees >= 75 and not market/name = 'Finance'": [252, 260, 264, 268, 274],
    "addressLine2 != null and numberOfEmployees < 12": [254, 263, 273],
    "addressLine2 = null and state = 'NC'": [267],
    "status/name in ('Inactive', 'Not-Approved') or identifier like 'Lab_ech'": [250, 271, 274],
    "market/name = 'Finance' and not (state = 'PA' or state = 'OH')": [256, 259, 266],
    "deletedFlag = false and id <= 251": [250, 251],
    "leadFlag = true or id in (262, 999)": [262],
}

OTHERS = [
    ("/system/members", "inactiveFlag = true", [151]),
    ("/system/members", "title = 'Help Desk Technician' and identifier <> 'spatel'", [143]),
    ("/service/priorities", 'color in ("Red", "Blue")', [4, 8]),
    ("/service/priorities", "sortOrder > 3 and name not like '%Low'", [8]),
    ("/service/boards", "projectFlag = true or name = 'Alerts'", [4, 6]),
]


@pytest.fixture(autouse=True)
def fresh(standin) -> None:
    standin.reset()


def ids(cw: Any, path: str, conditions: str) -> list[int]:
    result = cw.call("execute_api_call", path=path, params={"conditions": conditions, "pageSize": 1000})
    assert not result.is_error, result.text
    return sorted(row["id"] for row in result.data["data"])


@pytest.mark.parametrize("conditions", COMPANIES)
def test_company_filters_return_the_companies_picked_by_hand(cw, conditions: str) -> None:
    assert ids(cw, "/company/companies", conditions) == COMPANIES[conditions]


@pytest.mark.parametrize(("path", "conditions", "expected"), OTHERS)
def test_other_filters_return_the_records_picked_by_hand(cw, path: str, conditions: str, expected: list[int]) -> None:
    assert ids(cw, path, conditions) == expected


def test_date_filters_compare_moments(cw) -> None:
    """Companies were acquired 553 (250), 621 (260), 632 (273), 653 (251), 699 (254) days before today,
    and, the oldest, 3578 (272) and 3711 (266): the seed fixes the days, the dates follow today."""
    today = datetime.now(timezone.utc).date()

    def before(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    assert ids(cw, "/company/companies", f"dateAcquired >= [{before(700)}]") == [250, 251, 254, 260, 273]
    recent = f"dateAcquired > [{before(640)}T00:00:00Z] and dateAcquired < [{before(600)}T00:00:00+00:00]"
    assert ids(cw, "/company/companies", recent) == [260, 273]
    assert ids(cw, "/company/companies", f"dateAcquired < [{before(3500)}T00:00:00Z]") == [266, 272]


# -- the stand-in's reader on its own ------------------------------------------------------------------------------

RECORD = {
    "id": 7,
    "summary": "VPN drops at 5% packet loss",
    "note": "it's down",
    "closedFlag": False,
    "budgetHours": 1.5,
    "dateEntered": "2026-03-01T09:30:00Z",
    "Status": {"Name": "In Progress"},
}


@pytest.mark.parametrize(
    ("conditions", "kept"),
    [
        ("status/name = 'in progress'", True),  # nested, and field names match regardless of case
        ("summary like 'VPN_drops%'", True),
        ("summary like 'vpn%loss' and summary not like 'VPN'", True),
        ("note = 'it''s down' and note = \"it's down\" and note = 'it\\'s down'", True),
        ("budgetHours > 1 and budgetHours <= 1.5 and budgetHours != 2", True),
        ("dateEntered > [2026-03-01] and dateEntered < [2026-03-01T10:00:00+01:00]", False),
        ("dateEntered > [2026-03-01] and dateEntered < [2026-03-01T11:00:00+01:00]", True),
        ("closedFlag = false and not closedFlag = true", True),
        ("missing = null and not missing != null", True),
        ("missing != 'x' or missing not like '%' or missing < 1", False),  # a missing value meets nothing
        ("id in (1, 7) and id not in (8) and summary not contains 'wifi'", True),
        ("(id = 1 or (id = 7 and (summary contains 'vpn')))", True),
    ],
)
def test_the_stand_ins_reader_on_one_record(conditions: str, kept: bool) -> None:
    assert read_conditions(conditions).keeps(RECORD, lookup) is kept


@pytest.mark.parametrize(
    ("conditions", "position", "words"),
    [
        ("status/name = Open", 14, "quoted"),
        ("summary = 'open", 10, "no closing '"),
        ("dateEntered > [2026-13-45]", 14, "not a date"),
        ("id = 1 and", 10, "field name"),
        ("(id = 1", 0, "not closed"),
        ("id = 1)", 6, "expected 'and', 'or'"),
        ("id 1", 3, "operator"),
        ("id in 1, 2", 6, "parentheses"),
        ("", 0, "empty"),
    ],
)
def test_the_stand_ins_reader_names_what_is_wrong_and_where(conditions: str, position: int, words: str) -> None:
    with pytest.raises(ConditionsError, match=words) as raised:
        read_conditions(conditions)
    assert raised.value.position == position


def test_the_stand_ins_reader_names_the_fields_it_filters_on() -> None:
    assert read_conditions("a = 1 or (b/c = 'x' and not d in (1))").fields == ("a", "b/c", "d")
    with pytest.raises(ConditionsError, match="nest"):
        read_conditions("(" * 150 + "id = 1" + ")" * 150)
    many = read_conditions(" or ".join(f"id = {n}" for n in range(5000)))  # long chains do not recurse
    assert many.keeps({"id": 4999}, lookup) and not many.keeps({"id": 5000}, lookup)
