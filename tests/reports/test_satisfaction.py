"""CSAT and NPS: totals, distributions, trend and comments against the raw survey answers."""

import csv
import datetime
import io
from collections import Counter

import pytest
from django.urls import reverse

from hotelcrm.models import AuditEvent, Role
from reports import services
from reports.selectors import Scope, satisfaction_section
from tests.reports.data import END, START, expected_surveys, generate_surveys, nps_of

WIDE = (START - datetime.timedelta(days=120), END + datetime.timedelta(days=40))


@pytest.fixture
def generated(tenants):
    generate_surveys(tenants.a, seed=5)
    generate_surveys(tenants.b, seed=6)
    for tenant in (tenants.a, tenants.b):
        services.rollups_rebuild(
            organization=tenant.organization, hotels=tenant.hotels, start=WIDE[0], end=WIDE[1], with_rfm=False
        )
    return tenants


@pytest.mark.parametrize("is_group", [False, True])
def test_csat_nps_distributions_and_trend_equal_the_raw_answers(generated, is_group):
    tenant = generated.a
    hotels = tenant.hotels if is_group else tenant.hotels[:1]
    section = satisfaction_section(scope=Scope(tenant.organization, hotels, is_group, hotels[0]), start=START, end=END)
    answers = expected_surveys(tenant.organization, hotels, START, END)
    assert len(answers) > 15
    assert section["totals"]["responses"] == len(answers)
    assert section["totals"]["csat_avg"] == round(sum(a.csat for a in answers) / len(answers), 2)
    assert section["totals"]["nps"] == nps_of(answers)
    assert section["totals"]["comments"] == sum(1 for a in answers if a.comment.strip())
    csat, nps = Counter(a.csat for a in answers), Counter(a.nps for a in answers)
    assert {r["value"]: r["responses"] for r in section["csat"]} == {v: csat[v] for v in range(1, 6)}
    assert {r["value"]: r["responses"] for r in section["nps"]} == {v: nps[v] for v in range(0, 11)}
    per_day = {}
    for a in answers:
        per_day.setdefault(a.created_at.astimezone(next(h.tz for h in hotels if h.pk == a.hotel_id)).date(), []).append(
            a
        )
    assert {p["bucket"]: (p["responses"], p["nps"]) for p in section["trend"]} == {
        d: (len(v), nps_of(v)) for d, v in per_day.items()
    }
    expected_comments = sorted(
        (a for a in answers if a.comment.strip()), key=lambda a: (a.created_at, a.pk), reverse=True
    )[:10]
    assert [c.pk for c in section["comments"]] == [a.pk for a in expected_comments]
    previous = expected_surveys(
        tenant.organization, hotels, START - datetime.timedelta(days=31), START - datetime.timedelta(days=1)
    )
    assert section["previous"]["responses"] == len(previous) and section["previous"]["nps"] == nps_of(previous)


def test_an_answer_at_23_45_local_time_counts_on_that_day_and_00_05_on_the_next(generated):
    tenant = generated.a
    shanghai = tenant.hotels[0]
    on_end = satisfaction_section(scope=Scope(tenant.organization, [shanghai], False, shanghai), start=END, end=END)
    answers = expected_surveys(tenant.organization, [shanghai], END, END)
    assert any(a.created_at.astimezone(shanghai.tz).time() == datetime.time(23, 45) for a in answers)
    assert on_end["totals"]["responses"] == len(answers)
    next_day = END + datetime.timedelta(days=1)
    after = satisfaction_section(
        scope=Scope(tenant.organization, [shanghai], False, shanghai), start=next_day, end=next_day
    )
    assert (
        after["totals"]["responses"] == len(expected_surveys(tenant.organization, [shanghai], next_day, next_day)) >= 1
    )


def test_each_score_drills_to_its_answers_within_the_scope(client, generated):
    tenant = generated.a
    client.force_login(tenant.users[Role.GROUP_ADMIN])
    params = {"start": str(START), "end": str(END), "group": "1"}
    response = client.get(reverse("reports:dashboard"), params)
    html = response.content.decode()
    section = response.context["summary"]["satisfaction"]
    satisfaction_html = html.split('id="section-satisfaction"')[1].split("</section>")[0]
    assert 'data-chart="csat-trend"' in satisfaction_html and 'data-chart="nps-trend"' in satisfaction_html
    assert 'id="verbatim-comments"' in html and "Lovely stay" in html or "The lift was slow" in html
    for key in ("csat", "nps"):
        for row in section[key]:
            drill = client.get(reverse("reports:surveys"), {**params, key: row["value"]})
            assert drill.context["page"].paginator.count == row["responses"], (key, row["value"])
    drill = client.get(reverse("reports:surveys"), {**params, "comments": "1"})
    assert drill.context["page"].paginator.count == section["totals"]["comments"]
    assert {a.organization_id for a in drill.context["page"]} == {tenant.organization.pk}
    manager = tenant.users[Role.MANAGER]
    client.force_login(manager)
    mine = client.get(reverse("reports:surveys"), params)
    assert {a.hotel_id for a in mine.context["page"]} == {tenant.hotels[0].pk}
    assert mine.context["page"].paginator.count == len(
        expected_surveys(tenant.organization, tenant.hotels[:1], START, END)
    )


def test_bad_scores_are_answered_clearly(client, generated):
    client.force_login(generated.a.users[Role.MANAGER])
    for params in ({"csat": "9"}, {"nps": "eleven"}, {"start": "2026-03-02", "end": "2026-03-01"}):
        assert client.get(reverse("reports:surveys"), params).status_code == 400


def test_the_survey_list_and_dashboard_export_carry_the_figures_and_are_audited(client, generated):
    tenant = generated.a
    client.force_login(tenant.users[Role.MANAGER])
    params = {"start": str(START), "end": str(END)}
    answers = expected_surveys(tenant.organization, tenant.hotels[:1], START, END)
    content = client.get(reverse("reports:dashboard"), {**params, "format": "csv"}).content.decode()
    assert f"Survey answers,{len(answers)}," in content and f"NPS,{nps_of(answers)}," in content
    listing = client.get(reverse("reports:surveys"), {**params, "format": "csv"}).content.decode()
    parsed = list(csv.reader(io.StringIO(listing)))
    assert parsed[1][3] == "CSAT (1-5)" and len([r for r in parsed[2:] if r]) == len(answers)
    assert sorted(int(r[4]) for r in parsed[2:] if r) == sorted(a.nps for a in answers)
    assert (
        AuditEvent.objects.filter(
            organization=tenant.organization, action="report.export", extra__report="surveys"
        ).count()
        == 1
    )


def test_the_dashboard_stays_a_constant_number_of_queries_with_more_answers(
    client, generated, django_assert_max_num_queries
):
    client.force_login(generated.a.users[Role.GROUP_ADMIN])
    params = {"start": str(START), "end": str(END), "group": "1"}
    with django_assert_max_num_queries(42) as first:  # 40, and the churn section's two
        client.get(reverse("reports:dashboard"), params)
    generate_surveys(generated.a, seed=8, count=60)
    services.rollups_rebuild(
        organization=generated.a.organization, hotels=generated.a.hotels, start=WIDE[0], end=WIDE[1], with_rfm=False
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("reports:dashboard"), params)
    with django_assert_max_num_queries(25):
        client.get(reverse("reports:surveys"), params)
