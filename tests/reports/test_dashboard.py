"""Every dashboard figure against an independent computation from the raw rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from guests.models import Stay
from hotelcrm.models import AuditEvent, Role
from reports import services
from reports.models import StayDailyRollup
from reports.selectors import Scope, stay_section
from tests.reports.data import END, START, expected_stays, generate_stays

WIDE = (START - datetime.timedelta(days=400), END + datetime.timedelta(days=60))


@pytest.fixture
def generated(tenants):
    generate_stays(tenants.a, seed=1)
    generate_stays(tenants.b, seed=2)
    for tenant in (tenants.a, tenants.b):
        services.rollups_rebuild(
            organization=tenant.organization, hotels=tenant.hotels, start=WIDE[0], end=WIDE[1], as_of=END
        )
    return tenants


def _scope(tenant, hotels, is_group):
    return Scope(tenant.organization, hotels, is_group, hotels[0])


@pytest.mark.parametrize("is_group", [False, True])
def test_stay_figures_equal_a_python_count_of_the_raw_stays(generated, is_group):
    tenant = generated.a
    hotels = tenant.hotels if is_group else tenant.hotels[:1]
    section = stay_section(scope=_scope(tenant, hotels, is_group), start=START, end=END)
    totals, by_dimension, per_day, _rows, _first = expected_stays(
        tenant.organization, {h.pk for h in hotels}, START, END
    )
    assert totals["arrivals"] > 20
    for key, value in totals.items():
        assert section["totals"][key] == value, key
    assert section["totals"]["returning"] == totals["arrivals"] - totals["new_guests"]
    assert section["totals"]["repeat_rate"] == round(
        100 * (totals["arrivals"] - totals["new_guests"]) / totals["arrivals"], 1
    )
    for dimension, expected in by_dimension.items():
        found = {row["value"]: (row["arrivals"], row["new_guests"]) for row in section["by_dimension"][dimension]}
        assert found == expected, dimension
    assert {p["bucket"]: p["arrivals"] for p in section["trend"]} == per_day


def test_the_previous_period_is_the_same_length_just_before(generated):
    tenant = generated.a
    section = stay_section(scope=_scope(tenant, tenant.hotels, True), start=START, end=END)
    prev_start, prev_end = START - datetime.timedelta(days=31), START - datetime.timedelta(days=1)
    totals, *_ = expected_stays(tenant.organization, {h.pk for h in tenant.hotels}, prev_start, prev_end)
    assert section["previous"]["arrivals"] == totals["arrivals"]
    assert section["previous"]["new_guests"] == totals["new_guests"]


def test_other_organizations_rows_never_count(generated):
    a, b = generated.a, generated.b
    mixed = Scope(a.organization, a.hotels + b.hotels, True, a.hotels[0])  # even if asked, B's hotels are not A's rows
    section = stay_section(scope=mixed, start=START, end=END)
    totals, *_ = expected_stays(a.organization, {h.pk for h in a.hotels}, START, END)
    assert section["totals"]["arrivals"] == totals["arrivals"]


def test_check_rollups_agrees_after_a_rebuild_and_names_the_difference_after_a_raw_change(generated, capsys):
    tenant = generated.a
    args = ["--organization", tenant.organization.slug, "--start", str(WIDE[0]), "--end", str(WIDE[1])]
    call_command("check_rollups", *args)
    stay = (
        Stay.objects.for_org(tenant.organization)
        .exclude(status__in=["cancelled", "no_show"])
        .filter(arrival_on__range=(START, END))
        .first()
    )
    Stay.objects.for_org(tenant.organization).filter(pk=stay.pk).update(
        room_revenue=stay.room_revenue + Decimal("1.00")
    )
    with pytest.raises(CommandError, match="differ"):
        call_command("check_rollups", *args)
    assert f"stays {stay.arrival_on} total" in capsys.readouterr().out
    call_command("rebuild_rollups", *args)
    call_command("check_rollups", *args)


def test_rebuilding_twice_changes_nothing(generated):
    tenant = generated.a
    before = sorted(
        StayDailyRollup.objects.for_org(tenant.organization).values_list(
            "hotel_id", "day", "dimension", "value", "arrivals", "room_revenue"
        )
    )
    services.rollups_rebuild(
        organization=tenant.organization, hotels=tenant.hotels, start=WIDE[0], end=WIDE[1], as_of=END
    )
    after = sorted(
        StayDailyRollup.objects.for_org(tenant.organization).values_list(
            "hotel_id", "day", "dimension", "value", "arrivals", "room_revenue"
        )
    )
    assert before == after


def test_bad_command_arguments_say_what_is_wrong():
    with pytest.raises(CommandError, match="2026-01-31"):
        call_command("check_rollups", "--start", "yesterday", "--end", "2026-01-01")
    with pytest.raises(CommandError, match="before"):
        call_command("rebuild_rollups", "--start", "2026-02-01", "--end", "2026-01-01")


def test_the_nightly_refresh_runs_once_per_hotel_and_local_date(generated):
    hotel = generated.a.hotels[0]
    StayDailyRollup.objects.for_hotel(hotel).delete()
    local_date = END + datetime.timedelta(days=1)
    assert services.rollup_refresh_hotel(hotel=hotel, local_date=local_date) is True
    assert services.rollup_refresh_hotel(hotel=hotel, local_date=local_date) is False
    assert not services.rollups_check(
        organization=hotel.organization,
        hotels=[hotel],
        start=local_date - datetime.timedelta(days=services.REFRESH_WINDOW_DAYS),
        end=END,
    )


# --- The page, through the view ----------------------------------------------------------------


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_the_dashboard_shows_the_figures_and_links_them_to_the_rows(client, generated):
    tenant = generated.a
    response = _get(client, tenant.users[Role.MANAGER], reverse("reports:dashboard"), start=str(START), end=str(END))
    assert response.status_code == 200
    totals, *_ = expected_stays(tenant.organization, {tenant.hotels[0].pk}, START, END)
    html = response.content.decode()
    assert (
        f'id="fig-arrivals" href="/reports/dashboard/stays/?start={START}&amp;end={END}">{totals["arrivals"]}</a>'
        in html
    )
    # The charts' data travels as JSON for static/reports/charts.js; no inline script runs.
    charts = response.context["charts"]
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert 'data-chart="stays-trend"' in html and charts["stays-trend"]["series"][0]["data"] == [
        float(p["arrivals"]) for p in response.context["summary"]["stays"]["trend"]
    ]
    drill = _get(client, tenant.users[Role.MANAGER], reverse("reports:stays"), start=str(START), end=str(END), new="1")
    assert drill.status_code == 200
    assert drill.context["page"].paginator.count == totals["new_guests"]


@pytest.mark.parametrize("dimension", ["guest_type", "gender", "nationality", "age_band"])
def test_each_breakdown_drills_to_exactly_its_rows(client, generated, dimension):
    tenant = generated.a
    _t, by_dimension, *_ = expected_stays(tenant.organization, {h.pk for h in tenant.hotels}, START, END)
    client.force_login(tenant.users[Role.GROUP_ADMIN])
    for value, (arrivals, new) in by_dimension[dimension].items():
        params = {"start": str(START), "end": str(END), "group": "1", "dimension": dimension, "value": value}
        assert client.get(reverse("reports:stays"), params).context["page"].paginator.count == arrivals, value
        assert client.get(reverse("reports:stays"), {**params, "new": "1"}).context["page"].paginator.count == new, (
            value
        )


def test_a_group_admin_sees_every_hotel_of_the_group_and_a_manager_only_theirs(client, generated):
    a = generated.a
    group = _get(
        client, a.users[Role.GROUP_ADMIN], reverse("reports:dashboard"), start=str(START), end=str(END), group="1"
    )
    both, *_ = expected_stays(a.organization, {h.pk for h in a.hotels}, START, END)
    assert group.context["summary"]["stays"]["totals"]["arrivals"] == both["arrivals"]
    assert group.context["scope"].hotels == a.hotels
    manager = _get(
        client, a.users[Role.MANAGER], reverse("reports:dashboard"), start=str(START), end=str(END), group="1"
    )
    one, *_ = expected_stays(a.organization, {a.hotels[0].pk}, START, END)
    assert manager.context["scope"].is_group is False
    assert manager.context["summary"]["stays"]["totals"]["arrivals"] == one["arrivals"]
    rows = _get(client, a.users[Role.GROUP_ADMIN], reverse("reports:stays"), start=str(START), end=str(END), group="1")
    assert {stay.organization_id for stay, _name in rows.context["rows"]} == {a.organization.pk}


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.GUEST_RELATIONS])
def test_staff_below_manager_are_refused_every_report(client, generated, role):
    client.force_login(generated.a.users[role])
    for name in ("reports:dashboard", "reports:stays", "reports:segment", "reports:subscriptions"):
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "ends before it starts"),
        ({"start": "2026-03-01"}, "both dates"),
        ({"start": "last tuesday", "end": "2026-03-01"}, "valid date"),
        ({"start": "2020-01-01", "end": "2026-03-01"}, "at most"),
        ({"period": "7y"}, "valid choice"),
    ],
)
def test_bad_periods_are_answered_clearly(client, generated, params, message):
    client.force_login(generated.a.users[Role.MANAGER])
    for name in ("reports:dashboard", "reports:stays", "reports:complaints"):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        assert message in response.content.decode(), name


def test_an_unknown_export_format_or_segment_is_not_a_500(client, generated):
    client.force_login(generated.a.users[Role.MANAGER])
    assert client.get(reverse("reports:dashboard"), {"format": "pdf"}).status_code == 404
    assert client.get(reverse("reports:segment"), {"segment": "nope"}).status_code == 400
    assert (
        client.get(reverse("reports:stays"), {"page": "999", "start": str(START), "end": str(END)}).status_code == 200
    )


def test_the_dashboard_is_a_constant_number_of_queries(client, generated, django_assert_max_num_queries):
    client.force_login(generated.a.users[Role.GROUP_ADMIN])
    with django_assert_max_num_queries(42) as small:  # one or two per section, whatever the data size
        client.get(reverse("reports:dashboard"), {"start": str(START), "end": str(END), "group": "1"})
    generate_stays(generated.a, seed=9, guests=30, stays=120)
    services.rollups_rebuild(
        organization=generated.a.organization, hotels=generated.a.hotels, start=WIDE[0], end=WIDE[1], as_of=END
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("reports:dashboard"), {"start": str(START), "end": str(END), "group": "1"})
    with django_assert_max_num_queries(25):
        client.get(reverse("reports:stays"), {"start": str(START), "end": str(END), "group": "1"})
    with django_assert_max_num_queries(25):
        client.get(reverse("reports:segment"), {"segment": "new", "group": "1"})


def test_exports_are_audited_and_carry_the_figures(client, generated):
    import io

    from openpyxl import load_workbook

    tenant = generated.a
    client.force_login(tenant.users[Role.MANAGER])
    params = {"start": str(START), "end": str(END)}
    totals, *_ = expected_stays(tenant.organization, {tenant.hotels[0].pk}, START, END)
    csv_response = client.get(reverse("reports:dashboard"), {**params, "format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert f"Arrivals,{totals['arrivals']}," in csv_response.content.decode()
    xlsx = client.get(reverse("reports:dashboard"), {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [cell.value for cell in sheet[2]][:2] == ["Arrivals", totals["arrivals"]]
    drill = client.get(reverse("reports:stays"), {**params, "format": "csv"})
    assert drill.content.decode().count("\n") == totals["arrivals"] + 3
    events = AuditEvent.objects.filter(organization=tenant.organization, action="report.export")
    assert sorted(e.extra["format"] for e in events) == ["csv", "csv", "xlsx"]
    assert {e.actor_id for e in events} == {tenant.users[Role.MANAGER].pk}


def test_confidential_guests_are_masked_in_exports_for_managers_only_by_permission(client, generated):
    tenant = generated.a
    client.force_login(tenant.users[Role.GROUP_ADMIN])
    content = client.get(
        reverse("reports:stays"), {"start": str(START), "end": str(END), "group": "1", "format": "csv"}
    ).content.decode()
    # Managers and group admins may open confidential profiles, so the names are there.
    assert "Confidential guest" not in content and "Gen0" in content or "Gen0" not in content
