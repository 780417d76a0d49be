"""Guest care rules: who is greeted, once, in which language, and what guests can answer."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from care import services
from care.models import (
    CallTask,
    CampaignKind,
    Channel,
    Delivery,
    DeliveryStatus,
    Holiday,
    JobRun,
    RunStatus,
    SurveyResponse,
)
from care.occasions import LUNAR_FESTIVALS, holiday_date_in, lunar_month_days_on
from guests.models import SpecialDate
from hotelcrm.models import AuditEvent
from tests.care.helpers import campaign, care_guest, care_settings

pytestmark = pytest.mark.django_db


def _run(hotel, day):
    return JobRun.objects.create(organization=hotel.organization, hotel=hotel, job="care.daily", local_date=day)


def _select(hotel, day):
    run = _run(hotel, day)
    services.care_run_select(organization_id=hotel.organization_id, run_id=run.pk)
    return run


def _send_all(run):
    for delivery in Delivery.objects.for_org(run.organization_id).filter(run=run).order_by("pk"):
        services.delivery_send(
            organization_id=run.organization_id, delivery_id=delivery.pk, now=timezone.now().replace(hour=4)
        )  # 12:00 in Shanghai: outside quiet hours


def test_the_lunar_festivals_land_on_their_gregorian_days_for_any_year():
    days = {
        name: holiday_date_in(Holiday(calendar="lunar", month=m, day=d), 2025)
        for name, _zh, m, d, _l in LUNAR_FESTIVALS
    }
    assert days == {
        "Spring Festival": datetime.date(2025, 1, 29),
        "Lantern Festival": datetime.date(2025, 2, 12),
        "Dragon Boat Festival": datetime.date(2025, 5, 31),
        "Qixi Festival": datetime.date(2025, 8, 29),
        "Mid-Autumn Festival": datetime.date(2025, 10, 6),
        "Double Ninth Festival": datetime.date(2025, 10, 29),
    }
    assert holiday_date_in(Holiday(calendar="lunar", month=1, day=1), 2026) == datetime.date(2026, 2, 17)
    assert holiday_date_in(Holiday(calendar="gregorian", month=2, day=29), 2025) == datetime.date(2025, 2, 28)
    # 2025 has no leap eighth month, so a leap-month 8/15 falls on the regular one (guests/dates.py).
    assert lunar_month_days_on(datetime.date(2025, 10, 6)) == [(8, 15, False), (8, 15, True)]


def test_a_birthday_today_is_selected_once_with_every_rule_applied(tenants):
    hotel = tenants.a.hotels[0]
    today = datetime.date(2026, 5, 17)
    birthday = datetime.date(1980, 5, 17)
    greeted = care_guest(tenants.a, hotel, name="Greeted", email="greeted@example.test", birthday=birthday)
    care_guest(tenants.a, hotel, name="NoConsent", email="nc@example.test", birthday=birthday, consent=False)
    care_guest(tenants.a, hotel, name="DoNotContact", email="dnc@example.test", birthday=birthday, do_not_contact=True)
    secret = care_guest(
        tenants.a, hotel, name="Secret", email="s@example.test", birthday=birthday, is_confidential=True
    )
    care_guest(tenants.a, hotel, name="NoEmail", phone="+8613900139000", birthday=birthday)
    care_guest(tenants.a, tenants.a.hotels[1], name="OtherHotel", email="o@example.test", birthday=birthday)
    care_guest(tenants.b, tenants.b.hotels[0], name="OtherTenant", email="b@example.test", birthday=birthday)
    birthday_campaign = campaign(hotel)

    run = _select(hotel, today)
    again = services.care_run_select(organization_id=hotel.organization_id, run_id=run.pk)

    rows = list(Delivery.objects.for_org(tenants.a.organization).filter(campaign=birthday_campaign))
    assert [d.guest_id for d in rows] == [greeted.pk]
    assert len(again) == 1  # the chunk is still queued; selecting again added nothing
    birthday_campaign.allows_confidential = True
    birthday_campaign.save()
    JobRun.objects.for_hotel(hotel).filter(pk=run.pk).update(selected_at=None)
    services.care_run_select(organization_id=hotel.organization_id, run_id=run.pk)
    assert set(
        Delivery.objects.for_org(tenants.a.organization)
        .filter(campaign=birthday_campaign)
        .values_list("guest_id", flat=True)
    ) == {greeted.pk, secret.pk}


def test_a_lunar_birthday_is_greeted_on_this_years_gregorian_day(tenants):
    hotel = tenants.a.hotels[0]
    guest = care_guest(tenants.a, hotel, name="Lunar", email="lunar@example.test")
    SpecialDate.objects.create(
        organization=tenants.a.organization, guest=guest, kind="birthday", calendar="lunar", month=8, day=15
    )
    campaign(hotel, created_days_ago=2000)
    _select(hotel, datetime.date(2025, 10, 5))
    assert not Delivery.objects.for_org(tenants.a.organization).filter(guest=guest).exists()
    _select(hotel, datetime.date(2025, 10, 6))
    assert Delivery.objects.for_org(tenants.a.organization).filter(guest=guest).count() == 1


def test_the_frequency_cap_lets_one_marketing_message_through_but_not_service_messages(tenants):
    hotel = tenants.a.hotels[0]
    day = datetime.date(2025, 10, 6)  # Mid-Autumn
    guest = care_guest(
        tenants.a,
        hotel,
        name="Busy",
        email="busy@example.test",
        birthday=datetime.date(1990, 10, 6),
        language="zh",
        nationality="CN",
    )
    from tests.factories import StayFactory

    StayFactory(
        hotel=hotel,
        organization=tenants.a.organization,
        guest=guest,
        status="checked_out",
        arrival_on=day - datetime.timedelta(days=3),
        departure_on=day - datetime.timedelta(days=1),
    )
    mid_autumn = Holiday.objects.create(
        organization=tenants.a.organization, name="Mid-Autumn", calendar="lunar", month=8, day=15, languages=["zh"]
    )
    birthday = campaign(hotel, created_days_ago=2000)
    holiday = campaign(hotel, kind=CampaignKind.HOLIDAY, holiday=mid_autumn, created_days_ago=2000)
    thanks = campaign(hotel, kind=CampaignKind.POST_STAY, days_offset=1, created_days_ago=2000)

    _select(hotel, day)

    sent_for = set(
        Delivery.objects.for_org(tenants.a.organization).filter(guest=guest).values_list("campaign_id", flat=True)
    )
    assert sent_for == {birthday.pk, thanks.pk}
    assert holiday.pk not in sent_for


def test_the_email_is_in_the_guests_language_and_its_unsubscribe_link_withdraws_consent(tenants, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    hotel = tenants.a.hotels[0]
    day = datetime.date(2026, 5, 17)
    chinese = care_guest(
        tenants.a,
        hotel,
        name="Wang",
        email="wang@example.test",
        birthday=datetime.date(1980, 5, 17),
        language="zh-hans",
        native_name="王伟",
    )
    english = care_guest(
        tenants.a, hotel, name="Smith", email="smith@example.test", birthday=datetime.date(1981, 5, 17)
    )
    campaign(hotel)
    run = _select(hotel, day)
    _send_all(run)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"wang@example.test", "smith@example.test"}
    assert "生日快乐" in by_address["wang@example.test"].subject and "王伟" in by_address["wang@example.test"].body
    assert by_address["smith@example.test"].subject.startswith("Happy birthday")
    link = re.search(r"https?://\S+/care/u/\S+/", by_address["smith@example.test"].body).group(0)
    assert by_address["smith@example.test"].extra_headers["List-Unsubscribe"] == f"<{link}>"
    path = link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else "/" + link.split("/", 3)[3]

    assert client.get(path).status_code == 200
    english.refresh_from_db()
    assert english.consent_email  # a GET (a mail scanner) changes nothing
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200  # twice is fine
    english.refresh_from_db()
    chinese.refresh_from_db()
    assert not english.consent_email and english.consent_email_source == "email_link"
    assert chinese.consent_email
    assert AuditEvent.objects.for_org(tenants.a.organization).filter(action="guest.consent_withdraw").count() == 1
    assert client.get("/care/u/forged-token/").status_code == 404
    assert client.post(path[:-5] + "xx/").status_code == 404


def test_a_consent_withdrawn_after_selection_skips_the_message(tenants, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    hotel = tenants.a.hotels[0]
    guest = care_guest(tenants.a, hotel, name="Late", email="late@example.test", birthday=datetime.date(1980, 5, 17))
    late = campaign(hotel)
    run = _select(hotel, datetime.date(2026, 5, 17))
    guest.consent_email = False
    guest.save()
    _send_all(run)
    assert mail.outbox == []
    assert Delivery.objects.for_org(tenants.a.organization).get(campaign=late).status == DeliveryStatus.SKIPPED


def test_an_unreachable_mail_server_is_retried_with_back_off_then_failed(tenants, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    hotel = tenants.a.hotels[0]
    care_guest(tenants.a, hotel, name="Retry", email="retry@example.test", birthday=datetime.date(1980, 5, 17))
    retried = campaign(hotel)
    run = _select(hotel, datetime.date(2026, 5, 17))
    delivery = Delivery.objects.for_org(tenants.a.organization).get(campaign=retried)
    noon = timezone.now().replace(hour=4)
    status, retry_in = services.delivery_send(organization_id=run.organization_id, delivery_id=delivery.pk, now=noon)
    assert status == DeliveryStatus.QUEUED and retry_in == 60
    for _attempt in range(4):
        status, retry_in = services.delivery_send(
            organization_id=run.organization_id, delivery_id=delivery.pk, now=noon
        )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 5 and delivery.last_error


def test_quiet_hours_hold_a_message_until_they_end(tenants, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    hotel = tenants.a.hotels[0]  # Asia/Shanghai
    care_guest(tenants.a, hotel, name="Night", email="night@example.test", birthday=datetime.date(1980, 5, 17))
    night = campaign(hotel)
    run = _select(hotel, datetime.date(2026, 5, 17))
    delivery = Delivery.objects.for_org(tenants.a.organization).get(campaign=night)
    late = datetime.datetime(2026, 5, 17, 22, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    status, retry_in = services.delivery_send(organization_id=run.organization_id, delivery_id=delivery.pk, now=late)
    assert status == DeliveryStatus.QUEUED and retry_in == int(9.5 * 3600)
    assert mail.outbox == []


def test_sms_goes_through_the_file_backend(tenants, settings, tmp_path):
    settings.CARE_SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    hotel = tenants.a.hotels[0]
    care_guest(tenants.a, hotel, name="Text", phone="+8613900139001", birthday=datetime.date(1980, 5, 17))
    campaign(hotel, channel=Channel.SMS)
    run = _select(hotel, datetime.date(2026, 5, 17))
    _send_all(run)
    lines = (tmp_path / "sms.jsonl").read_text().splitlines()
    assert len(lines) == 1 and "+8613900139001" in lines[0]


def test_the_dispatcher_opens_each_local_day_once_and_catches_up_only_within_the_window(tenants):
    hotel = tenants.a.hotels[0]  # Asia/Shanghai, UTC+8
    campaign(hotel)
    care_settings(hotel, catch_up_days=2)
    before_send_time = datetime.datetime(2026, 5, 17, 1, 0, tzinfo=datetime.UTC)  # 09:00 local; send time 10:00
    opened = services.care_dispatch(now=before_send_time)
    assert sorted(r.local_date for r in opened if r.hotel_id == hotel.pk) == [
        datetime.date(2026, 5, 15),
        datetime.date(2026, 5, 16),
    ]
    after = before_send_time + datetime.timedelta(hours=2)
    assert [r.local_date for r in services.care_dispatch(now=after) if r.hotel_id == hotel.pk] == [
        datetime.date(2026, 5, 17)
    ]
    assert [r for r in services.care_dispatch(now=after) if r.status == RunStatus.DONE] == []
    assert JobRun.objects.for_hotel(hotel).filter(local_date__gte=datetime.date(2026, 5, 1)).count() == 3
    quiet = datetime.datetime(2026, 5, 20, 14, 0, tzinfo=datetime.UTC)  # 22:00 local
    assert [r for r in services.care_dispatch(now=quiet) if r.hotel_id == hotel.pk and r.local_date.day >= 18] == []


def test_a_low_survey_score_raises_a_follow_up_call_and_a_survey_is_answered_once(tenants, client):
    hotel = tenants.a.hotels[0]
    guest = care_guest(tenants.a, hotel, name="Unhappy", email="u@example.test")
    thanks = campaign(hotel, kind=CampaignKind.POST_STAY, days_offset=1)
    delivery = Delivery.objects.create(
        organization=tenants.a.organization,
        hotel=hotel,
        campaign=thanks,
        guest=guest,
        occasion_on=datetime.date(2026, 5, 17),
        channel="email",
        language="en",
        status="sent",
    )
    from care.messages import SURVEY_SALT, make_token

    url = f"/care/s/{make_token(SURVEY_SALT, delivery)}/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"csat": "9", "nps": "x"})
    assert bad.status_code == 400 and "Choose a score from 1 to 5." in bad.content.decode()
    assert client.post(url, {"csat": "2", "nps": "8", "comment": "Noisy room"}).status_code == 200
    again = client.post(url, {"csat": "5", "nps": "10"})
    assert again.status_code == 400 and "already been answered" in again.content.decode()
    response = SurveyResponse.objects.for_org(tenants.a.organization).get(delivery=delivery)
    assert (response.csat, response.nps, response.comment) == (2, 8, "Noisy room")
    task = CallTask.objects.for_org(tenants.a.organization).get(survey=response)
    assert task.reason == "low_score" and task.hotel == hotel
    from complaints.models import Complaint

    complaint = Complaint.objects.for_org(tenants.a.organization).get(guest=guest)
    assert (complaint.channel, complaint.description, complaint.hotel) == ("survey", "Noisy room", hotel)
    assert client.get("/care/s/not-a-token/").status_code == 404


def test_a_revisit_campaign_puts_key_accounts_on_the_call_list_on_their_cadence(tenants):
    hotel = tenants.a.hotels[0]
    owner = tenants.a.users[list(tenants.a.users)[2]]
    key = care_guest(
        tenants.a, hotel, name="Key", phone="+8613900139002", value_class="key_account", relationship_owner=owner
    )
    care_guest(tenants.a, hotel, name="Leisure", phone="+8613900139003")
    campaign(hotel, kind=CampaignKind.REVISIT, channel=Channel.CALL, cadence_days=30)
    run = _select(hotel, datetime.date(2026, 5, 17))
    _send_all(run)
    _select(hotel, datetime.date(2026, 5, 18))
    tasks = list(CallTask.objects.for_org(tenants.a.organization).filter(reason="campaign"))
    assert [(t.guest_id, t.assigned_to_id) for t in tasks] == [(key.pk, owner.pk)]
    assert Delivery.objects.for_org(tenants.a.organization).filter(guest=key).count() == 1
