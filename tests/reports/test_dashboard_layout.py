"""How the dashboard shows its figures: the summary first, numbers with separators and currency,
share bars as long as the share, and the number links in columns of their own."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from hotelcrm.models import Role
from tests.reports.data import END, START
from tests.reports.test_dashboard import generated  # noqa: F401  (the shared fixture)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_and_counts_have_thousands_separators_in_both_languages(language):
    template = Template(
        "{% load reports_charts %}{{ amount|money:'CNY' }}|{{ count|num }}|{{ share|percent }}|{{ none|percent }}"
    )
    with translation.override(language):
        text = template.render(Context({"amount": Decimal("478317.49"), "count": 12345, "share": 0.9, "none": None}))
    assert text == "478,317.49 CNY|12,345|0.9%|–"


def test_a_share_bar_is_as_long_as_the_share_not_as_the_largest_row():
    template = Template("{% load reports_charts %}{% bar share 100 %}")
    small = template.render(Context({"share": 0.9}))
    assert re.search(r'<rect width="0\.9" height="10"/>', small), small
    assert 'width="100"' in small  # the track: the whole, so 0.9 % reads as 0.9 %


def test_the_dashboard_opens_on_the_summary_with_each_section_one_click_away(client, generated):  # noqa: F811
    tenant = generated.a
    client.force_login(tenant.users[Role.MANAGER])
    response = client.get(reverse("reports:dashboard"), {"start": str(START), "end": str(END)})
    html = response.content.decode()
    summary = html.split('id="summary"')[1].split("</section>")[0]
    totals = response.context["summary"]["stays"]["totals"]
    assert f'id="sum-arrivals">{totals["arrivals"]:,}<' in summary
    assert f'id="sum-revenue">{totals["revenue"]:,.2f} {tenant.hotels[0].currency}<' in summary
    tabs = html.split('id="dash-tabs"')[1].split("</nav>")[0]
    for section in re.findall(r'<section class="card dash-section" id="([^"]+)"', html):
        assert f'href="#{section}"' in tabs, section
    assert html.index('id="summary"') < html.index('id="section-guests"')


def test_breakdown_rows_put_each_number_in_its_own_cell_and_the_bar_beside_the_share(client, generated):  # noqa: F811
    tenant = generated.a
    client.force_login(tenant.users[Role.MANAGER])
    response = client.get(reverse("reports:dashboard"), {"start": str(START), "end": str(END)})
    html = response.content.decode()
    table = html.split('id="breakdown-nationality"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert rows
    for row, data in zip(rows, response.context["summary"]["stays"]["by_dimension"]["nationality"]):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        arrivals, new, share = cells
        assert "<svg" not in arrivals and "<svg" not in new  # the old bar sat in the arrivals cell, over "New"
        assert re.fullmatch(r'<a href="[^"]+">\d+</a>', arrivals.strip()) and re.fullmatch(
            r'<a href="[^"]+">\d+</a>', new.strip()
        )
        length = float(re.search(r'<rect width="([\d.]+)" height="10"/>', share).group(1))
        assert length == pytest.approx(48 * data["share"] / 100, abs=0.06)
