"""Dashboards: who sees what (enforced on the server), empty states, CSV = chart numbers."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse

from kpis import dashboards
from kpis.selectors import Slice, local_midnight

RANGE = {"from": "2026-01-01", "to": "2026-05-01"}


def figure_data(html: str) -> list[dict]:
    """The traces plotly was given, read back from the embedded figure."""
    match = re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\])\s*,\s*\{", html, re.S)
    return json.loads(match.group(1))


def test_dashboards_need_a_login(client):
    response = client.get(reverse("kpis:executive"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_executive_dashboard_shows_every_panel_and_loads_plotly_from_static(
    world, executive, session_client_for
):
    response = session_client_for(executive).get(reverse("kpis:executive"), RANGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/plotly/plotly.min.js" in html
    assert "cdn" not in html.lower()
    for title in (
        "Revenue against target",
        "New customers against target",
        "Funnel (cohort view)",
        "Funnel (period view)",
        "Velocity (hours)",
        "Speed to lead (hours)",
        "SLA compliance",
        "Pipeline (open SQLs)",
        "Top campaigns by revenue",
        "Goal cascade",
    ):
        assert title in html
    assert 'value="2026-01-01"' in html  # the filters stay in the URL and the form


def test_tabs_and_csv_links_keep_the_filters(world, executive, session_client_for):
    client = session_client_for(executive)

    filtered = client.get(reverse("kpis:executive"), {**RANGE, "segment": "ent"}).content.decode()
    unfiltered = client.get(reverse("kpis:executive")).content.decode()

    query = "?from=2026-01-01&amp;to=2026-05-01&amp;segment=ent"
    assert f'href="{reverse("kpis:marketing")}{query}"' in filtered
    assert f'href="{reverse("kpis:export", args=["executive", "revenue"])}{query}"' in filtered
    assert f'href="{reverse("kpis:marketing")}"' in unfiltered
    assert f'href="{reverse("kpis:export", args=["executive", "revenue"])}"' in unfiltered


def test_a_seller_sees_the_team_numbers_even_when_asking_for_another_team(
    world, seller, seller_b, session_client_for
):
    response = session_client_for(seller).get(
        reverse("kpis:executive"), {**RANGE, "team": seller_b.team_id}
    )

    assert response.status_code == 200
    funnel = next(p for p in response.context["panels"] if p.key == "funnel_cohort")
    total = funnel.frame.iloc[-1]
    assert (total["mql"], total["sal"], total["sql"], total["customer"]) == (4, 4, 2, 1)
    assert "You see the numbers of your own team" in response.content.decode()


def test_an_executive_sees_everything_and_may_slice_by_team(
    world, executive, seller, session_client_for
):
    client = session_client_for(executive)

    everything = client.get(reverse("kpis:executive"), RANGE).context["panels"]
    team = client.get(reverse("kpis:executive"), {**RANGE, "team": seller.team_id}).context[
        "panels"
    ]

    def mqls(panels):
        return next(p for p in panels if p.key == "funnel_cohort").frame.iloc[-1]["mql"]

    assert mqls(everything) == 6
    assert mqls(team) == 4


@pytest.mark.parametrize(
    ("persona", "page", "status"),
    [
        ("seller", "kpis:marketing", 403),
        ("seller", "kpis:sales", 200),
        ("marketer", "kpis:marketing", 200),
        ("marketer", "kpis:sales", 403),
        ("executive", "kpis:marketing", 200),
        ("executive", "kpis:sales", 200),
    ],
)
def test_team_views_are_for_their_team_and_leadership(
    world, request, session_client_for, persona, page, status
):
    user = request.getfixturevalue(persona)

    response = session_client_for(user).get(reverse(page), RANGE)

    assert response.status_code == status


def test_csv_export_is_forbidden_where_the_page_is(world, seller, session_client_for):
    url = reverse("kpis:export", args=["marketing", "rejections"])

    assert session_client_for(seller).get(url, RANGE).status_code == 403


def test_an_empty_range_shows_empty_states_not_broken_charts(db, executive, session_client_for):
    response = session_client_for(executive).get(
        reverse("kpis:executive"), {"from": "2020-01-01", "to": "2020-02-01"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("No data for this range and these filters.") >= 8
    assert "Plotly.newPlot" not in html


def test_bad_filters_answer_400_with_the_message_on_the_field(executive, session_client_for):
    response = session_client_for(executive).get(
        reverse("kpis:executive"), {"from": "2026-05-01", "to": "2026-01-01"}
    )

    assert response.status_code == 400
    assert "must be after" in response.content.decode()


def test_the_csv_holds_the_same_numbers_as_the_chart(world, executive, session_client_for):
    client = session_client_for(executive)
    panel_range = dashboards.Range(
        since=local_midnight(dt.date(2026, 1, 1)),
        until=local_midnight(dt.date(2026, 5, 1)),
        slice=Slice(),
        view="period",
    )
    panel = dashboards.funnel_panel(panel_range, view="period", group_by="owner")
    traces = figure_data(panel.chart_html())

    response = client.get(
        reverse("kpis:export", args=["sales", "funnel_cohort_owner"]), {**RANGE, "view": "period"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert [trace["name"] for trace in traces] == ["MQL", "SAL", "SQL", "Customer"]
    by_group = {row["Group"]: row for row in rows}
    for trace in traces:
        for group, value in zip(trace["x"], trace["y"], strict=True):
            assert int(by_group[group][trace["name"]]) == value


def test_the_revenue_csv_matches_the_revenue_chart(world, executive, session_client_for):
    client = session_client_for(executive)
    page = client.get(reverse("kpis:executive"), RANGE)
    panel = next(p for p in page.context["panels"] if p.key == "revenue")
    (bars,) = [t for t in figure_data(panel.chart_html()) if t["type"] == "bar"]

    response = client.get(reverse("kpis:export", args=["executive", "revenue"]), RANGE)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert [row["Month"] for row in rows] == bars["x"]
    assert [float(row["Revenue"]) for row in rows] == [float(v) for v in bars["y"]]
    assert [row["Month"] for row in rows] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert float(rows[2]["Revenue"]) == 1000


def test_unknown_panels_are_404(executive, session_client_for):
    client = session_client_for(executive)

    assert client.get(reverse("kpis:export", args=["executive", "nope"])).status_code == 404
    assert client.get(reverse("kpis:export", args=["nope", "revenue"])).status_code == 404
