"""pandas shaping: rates with null denominators, totals and the goal cascade."""

from decimal import Decimal

import pytest

from kpis import analytics


def test_rates_are_null_when_the_denominator_is_zero():
    frame = analytics.funnel_frame(
        [
            {"group": "2026-01", "mql": 4, "sal": 2, "sql": 0, "customer": 0},
            {"group": "2026-02", "mql": 0, "sal": 1, "sql": 1, "customer": 1},
        ]
    )

    rows = analytics.records(frame)
    assert rows[0]["mql_to_sal"] == 0.5
    assert rows[0]["sql_to_customer"] is None
    assert rows[1]["mql_to_sal"] is None
    assert rows[1]["sal_to_sql"] == 1.0


def test_totals_take_rates_from_summed_counts_not_averaged_rates():
    frame = analytics.funnel_frame(
        [
            {"group": "a", "mql": 10, "sal": 1, "sql": 0, "customer": 0},
            {"group": "b", "mql": 1, "sal": 1, "sql": 0, "customer": 0},
        ]
    )

    assert analytics.funnel_total(frame)["mql_to_sal"] == pytest.approx(2 / 11)


def test_an_empty_input_gives_an_empty_correctly_shaped_frame():
    frame = analytics.funnel_frame([])

    assert frame.empty
    assert list(frame.columns) == [
        "group", "mql", "sal", "sql", "customer", "mql_to_sal", "sal_to_sql", "sql_to_customer"
    ]  # fmt: skip
    assert analytics.funnel_total(frame)["mql_to_sal"] is None
    assert analytics.is_empty(frame)


def test_goal_cascade_from_a_revenue_target():
    # 100,000 target ÷ 10,000 average deal = 10 customers; ÷ 0.5 = 20 SQLs;
    # ÷ 0.4 = 50 SALs; ÷ 0.5 = 100 MQLs.
    frame = analytics.goal_cascade(
        revenue_target=Decimal("100000"),
        average_deal=Decimal("10000"),
        rates={"mql_to_sal": 0.5, "sal_to_sql": 0.4, "sql_to_customer": 0.5},
        actual={"revenue": 30000, "customer": 3, "sql": 12, "sal": 40, "mql": 120},
    )

    assert analytics.records(frame) == [
        {"stage": "revenue", "needed": 100000.0, "actual": 30000.0, "gap": 70000.0},
        {"stage": "customer", "needed": 10.0, "actual": 3.0, "gap": 7.0},
        {"stage": "sql", "needed": 20.0, "actual": 12.0, "gap": 8.0},
        {"stage": "sal", "needed": 50.0, "actual": 40.0, "gap": 10.0},
        {"stage": "mql", "needed": 100.0, "actual": 120.0, "gap": -20.0},
    ]


def test_goal_cascade_stops_where_a_rate_is_unknown():
    frame = analytics.goal_cascade(
        revenue_target=1000,
        average_deal=100,
        rates={"mql_to_sal": 0.5, "sal_to_sql": None, "sql_to_customer": 0.5},
        actual={},
    )

    assert [row["needed"] for row in analytics.records(frame)] == [1000.0, 10.0, 20.0, None, None]
