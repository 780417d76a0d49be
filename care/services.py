"""State changes of guest care: one transaction each, the audit event inside.

The nightly path is dispatcher -> run -> chunks -> one delivery at a time:
- `care_dispatch` (beat, every few minutes) opens one `JobRun` per hotel and local date once
  the hotel's send time has passed there, and re-opens runs that stopped making progress;
- `care_run_select` inserts the run's deliveries set-based (unique per campaign, guest,
  occasion) and says which chunks to send;
- `delivery_send` sends one queued delivery under a row lock, so a redelivered chunk waits for
  the first and then finds it sent.
"""

import datetime
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from care import conf
from care.audience import GROUP_OCCASIONS, deliveries_enqueue, home_guests_ensure
from care.channels import PermanentSendError, TransientSendError, email_send, sms_backend
from care.exceptions import CareError
from care.messages import (
    DEFAULT_TEXTS,
    SURVEY_SALT,
    UNSUBSCRIBE_FOOTER,
    UNSUBSCRIBE_SALT,
    absolute_url,
    language_for,
    make_token,
    read_token,
    render,
    unknown_variables,
)
from care.models import (
    KIND_PRIORITY,
    CallReason,
    CallTask,
    CallTaskStatus,
    Campaign,
    CampaignKind,
    CareSettings,
    Channel,
    Delivery,
    DeliveryStatus,
    Holiday,
    HolidayCalendar,
    JobRun,
    MessageTemplate,
    RunStatus,
    Segment,
    SurveyResponse,
    Unsubscribe,
)
from care.occasions import GREGORIAN_HOLIDAYS, LUNAR_FESTIVALS, days_between, holidays_on, public_holidays
from guests.models import ConsentSource, GuestContact
from hotelcrm import rls
from hotelcrm.audit import audit_record
from hotelcrm.domain_events import survey_dissatisfied
from hotelcrm.models import Hotel

DAILY_JOB = "care.daily"
JOB_LABEL = "care dispatcher"


def care_settings_for(hotel):
    return CareSettings.objects.for_hotel(hotel).first() or CareSettings(
        organization_id=hotel.organization_id, hotel=hotel
    )


# --- Configuration written by managers ------------------------------------------------------


@transaction.atomic
def care_settings_save(*, hotel, actor, request=None, **fields):
    current = care_settings_for(hotel)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=["organization", "hotel"])
    current.save()
    audit_record(
        action="care.settings_save", hotel=hotel, actor=actor, obj=current, fields=sorted(fields), request=request
    )
    return current


def _check_campaign(campaign):
    errors = {}
    if campaign.kind == CampaignKind.HOLIDAY and campaign.holiday_id is None:
        errors["holiday"] = _("Choose the holiday this greeting is for.")
    if campaign.kind == CampaignKind.ONE_OFF:
        if campaign.segment_id is None:
            errors["segment"] = _("Choose the saved segment to send to.")
        if campaign.scheduled_on is None:
            errors["scheduled_on"] = _("Choose the day to send on.")
    if campaign.kind == CampaignKind.REVISIT and campaign.channel != Channel.CALL:
        errors["channel"] = _("A revisit is a call: choose the call-task channel.")
    if campaign.holiday_id and campaign.holiday.organization_id != campaign.organization_id:
        errors["holiday"] = _("Choose the holiday this greeting is for.")
    if campaign.segment_id and campaign.segment.organization_id != campaign.organization_id:
        errors["segment"] = _("Choose the saved segment to send to.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_save(*, hotel, actor, campaign=None, request=None, **fields):
    is_new = campaign is None
    campaign = campaign or Campaign(organization_id=hotel.organization_id, hotel=hotel, created_by=actor)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _check_campaign(campaign)
    campaign.full_clean(exclude=["organization", "hotel", "created_by"], validate_unique=False)
    if Campaign.objects.for_hotel(hotel).filter(name=campaign.name).exclude(pk=campaign.pk).exists():
        raise ValidationError({"name": _("This hotel already has a campaign with this name.")})
    campaign.save()
    audit_record(
        action="care.campaign_create" if is_new else "care.campaign_update",
        hotel=hotel,
        actor=actor,
        obj=campaign,
        fields=sorted(fields),
        request=request,
    )
    return campaign


@transaction.atomic
def template_save(*, campaign, language, subject, body, actor, request=None):
    unknown = unknown_variables(subject) + unknown_variables(body)
    if unknown:
        raise ValidationError(_("Unknown variables: %(names)s.") % {"names": ", ".join(sorted(set(unknown)))})
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the text of the message.")})
    template, _created = MessageTemplate.objects.for_org(campaign.organization_id).update_or_create(
        campaign=campaign,
        language=language,
        defaults={"organization_id": campaign.organization_id, "subject": (subject or "").strip()[:200], "body": body},
    )
    audit_record(
        action="care.template_save",
        organization=campaign.organization,
        hotel=campaign.hotel,
        actor=actor,
        obj=campaign,
        fields=[language],
        request=request,
    )
    return template


@transaction.atomic
def holiday_save(*, organization, actor, holiday=None, request=None, **fields):
    is_new = holiday is None
    holiday = holiday or Holiday(organization=organization)
    for name, value in fields.items():
        setattr(holiday, name, value)
    errors = {}
    if holiday.calendar == HolidayCalendar.DATED:
        if holiday.on_date is None:
            errors["on_date"] = _("Choose the date.")
    else:
        from guests.dates import validate_special_date

        try:
            validate_special_date(
                "lunar" if holiday.calendar == HolidayCalendar.LUNAR else "gregorian", holiday.month, holiday.day
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    holiday.full_clean(exclude=["organization"], validate_unique=False)
    if Holiday.objects.for_org(organization).filter(name=holiday.name).exclude(pk=holiday.pk).exists():
        raise ValidationError({"name": _("A holiday with this name is already on the calendar.")})
    holiday.save()
    audit_record(
        action="care.holiday_create" if is_new else "care.holiday_update",
        organization=organization,
        actor=actor,
        obj=holiday,
        request=request,
    )
    return holiday


@transaction.atomic
def holiday_calendar_seed(*, organization, actor=None, request=None):
    """Add the lunar festivals and the common Western/Chinese public days; existing names are kept."""
    existing = set(Holiday.objects.for_org(organization).values_list("name", flat=True))
    rows = [
        Holiday(
            organization=organization,
            name=name,
            name_zh=name_zh,
            calendar=calendar,
            month=month,
            day=day,
            languages=languages,
        )
        for calendar, source in (
            (HolidayCalendar.LUNAR, LUNAR_FESTIVALS),
            (HolidayCalendar.GREGORIAN, GREGORIAN_HOLIDAYS),
        )
        for name, name_zh, month, day, languages in source
        if name not in existing
    ]
    Holiday.objects.bulk_create(rows)
    audit_record(
        action="care.holiday_seed",
        organization=organization,
        actor=actor,
        actor_label="" if actor else JOB_LABEL,
        request=request,
        extra={"added": len(rows)},
    )
    return rows


@transaction.atomic
def holiday_import_public(*, organization, country, year, actor, request=None):
    """Add one year's public holidays of a country (from the `holidays` package) as dated entries."""
    found = public_holidays(country, year)
    if found is None:
        raise CareError(_("No public-holiday calendar is known for country %(country)s.") % {"country": country})
    existing = set(Holiday.objects.for_org(organization).values_list("name", flat=True))
    rows = []
    for day, name in found:
        label = f"{name} {day.year} ({country.upper()})"[:100]
        if label not in existing:
            existing.add(label)
            rows.append(
                Holiday(
                    organization=organization,
                    name=label,
                    calendar=HolidayCalendar.DATED,
                    on_date=day,
                    nationalities=[country.upper()],
                )
            )
    Holiday.objects.bulk_create(rows)
    audit_record(
        action="care.holiday_import",
        organization=organization,
        actor=actor,
        request=request,
        extra={"country": country.upper(), "year": year, "added": len(rows)},
    )
    return rows


@transaction.atomic
def segment_save(*, organization, actor, name, filters, segment=None, request=None):
    segment = segment or Segment(organization=organization)
    segment.name, segment.filters = name, filters
    segment.full_clean(exclude=["organization"], validate_unique=False)
    if Segment.objects.for_org(organization).filter(name=name).exclude(pk=segment.pk).exists():
        raise ValidationError({"name": _("A segment with this name already exists.")})
    segment.save()
    audit_record(action="care.segment_save", organization=organization, actor=actor, obj=segment, request=request)
    return segment


# --- The nightly path -----------------------------------------------------------------------


def care_dispatch(*, now=None):
    """Open the day's run for every hotel whose local send time has passed; returns runs to start.

    Days missed while nothing ran are opened too, back to the hotel's catch-up window and never
    further. Runs that were opened but stopped progressing (their task lost with a dead worker)
    are returned again: starting a run twice is harmless.
    """
    now = now or timezone.now()
    # The dispatcher is the one place that lists every tenant's hotels.
    hotel_ids = set(Campaign.objects.all_tenants_unscoped().filter(is_active=True).values_list("hotel_id", flat=True))
    hotels = Hotel.objects.all_tenants_unscoped().filter(pk__in=hotel_ids).select_related("organization").order_by("pk")
    rules = {s.hotel_id: s for s in CareSettings.objects.all_tenants_unscoped().filter(hotel_id__in=hotel_ids)}
    wanted = []
    for hotel in hotels:
        rule = rules.get(hotel.pk) or CareSettings(organization_id=hotel.organization_id, hotel=hotel)
        local = now.astimezone(hotel.tz)
        if rule.in_quiet_hours(local.time()):
            continue  # nothing starts in quiet hours; the first dispatch after them catches up
        today = local.date()
        for day in days_between(today - datetime.timedelta(days=rule.catch_up_days), today):
            if day == today and local.time() < rule.send_time:
                continue
            wanted.append((hotel, day))
    if not wanted:
        return []
    earliest = min(day for _hotel, day in wanted)
    existing = set(
        JobRun.objects.all_tenants_unscoped()
        .filter(job=DAILY_JOB, local_date__gte=earliest, hotel_id__in=hotel_ids)
        .values_list("hotel_id", "local_date")
    )
    started = []
    for hotel, day in wanted:
        if (hotel.pk, day) in existing:
            continue
        with transaction.atomic():
            run, created = JobRun.objects.for_hotel(hotel).get_or_create(
                job=DAILY_JOB,
                local_date=day,
                defaults={"organization_id": hotel.organization_id, "hotel": hotel},
            )
            if created:
                audit_record(
                    action="care.run_open",
                    hotel=hotel,
                    actor_label=JOB_LABEL,
                    obj=run,
                    extra={"local_date": day.isoformat()},
                )
                started.append(run)
    stale = JobRun.objects.all_tenants_unscoped().filter(
        job=DAILY_JOB,
        status__in=[RunStatus.PENDING, RunStatus.RUNNING],
        touched_at__lt=now - datetime.timedelta(seconds=conf.stale_run_seconds()),
    )
    started.extend(stale)
    return started


def _campaigns_for_run(run):
    campaigns = list(Campaign.objects.for_hotel(run.hotel).filter(is_active=True).select_related("holiday", "segment"))
    tz = run.hotel.tz
    # A campaign greets from the day it was created on: a new campaign never sends for past days.
    campaigns = [c for c in campaigns if c.created_at.astimezone(tz).date() <= run.local_date]
    return sorted(campaigns, key=lambda c: (KIND_PRIORITY.index(c.kind), c.pk))


def care_run_select(*, organization_id, run_id, now=None):
    """Select and enqueue a run's deliveries once; return [(first_id, last_id)] chunks still to send."""
    now = now or timezone.now()
    with transaction.atomic():
        run = (
            JobRun.objects.for_org(organization_id)
            .select_for_update(of=("self",))
            .select_related("hotel__organization")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status == RunStatus.DONE:
            return []
        if run.selected_at is None:
            # One hotel's selection at a time per organization, so the frequency cap sees what the
            # other hotels of the group queued for the same guest today.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7007, organization_id])
            rule = care_settings_for(run.hotel)
            holidays = holidays_on(list(Holiday.objects.for_org(organization_id)), run.local_date)
            campaigns = _campaigns_for_run(run)
            if any(c.kind in GROUP_OCCASIONS for c in campaigns):
                home_guests_ensure(organization_id, run.hotel_id, run.local_date)
            selected = 0
            for campaign in campaigns:
                selected += deliveries_enqueue(
                    campaign, run.local_date, run=run, cap_days=rule.frequency_cap_days, now=now, holidays=holidays
                )
            run.selected, run.selected_at, run.status = selected, now, RunStatus.RUNNING
            audit_record(
                action="care.run_select",
                hotel=run.hotel,
                actor_label=JOB_LABEL,
                obj=run,
                extra={"selected": selected, "local_date": run.local_date.isoformat()},
            )
        chunks = _queued_chunks(organization_id, run.pk, conf.chunk_size())
        if not chunks:
            run.status, run.finished_at = RunStatus.DONE, now
        run.chunks = max(run.chunks, len(chunks))
        run.save()
    return chunks


def _queued_chunks(organization_id, run_id, size):
    """[(first_id, last_id)] of the run's queued deliveries, `size` to a chunk, counted in the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS chunk"
            " FROM care_delivery WHERE organization_id = %s AND run_id = %s AND status = %s) queued"
            " GROUP BY chunk ORDER BY chunk",
            [size, organization_id, run_id, DeliveryStatus.QUEUED],
        )
        return [(first_id, last_id) for first_id, last_id in cursor.fetchall()]


def care_run_finish_if_done(*, organization_id, run_id):
    """Mark the run done when nothing of it is queued any more (a conditional update: one winner)."""
    if Delivery.objects.for_org(organization_id).filter(run_id=run_id, status=DeliveryStatus.QUEUED).exists():
        JobRun.objects.for_org(organization_id).filter(pk=run_id).update(touched_at=timezone.now())
        return False
    return bool(
        JobRun.objects.for_org(organization_id)
        .filter(pk=run_id)
        .exclude(status=RunStatus.DONE)
        .update(status=RunStatus.DONE, finished_at=timezone.now(), touched_at=timezone.now())
    )


def _contact(guest, channel):
    kind = "email" if channel == Channel.EMAIL else "phone"
    contacts = sorted(
        GuestContact.objects.for_org(guest.organization_id).filter(guest=guest, kind=kind),
        key=lambda c: (not c.is_primary, c.pk),
    )
    return contacts[0].value if contacts else None


def _still_allowed(delivery):
    """The rules again at send time: the guest may have unsubscribed since the selection."""
    guest, campaign = delivery.guest, delivery.campaign
    consent = {Channel.EMAIL: guest.consent_email, Channel.SMS: guest.consent_sms, Channel.CALL: guest.consent_phone}
    if not consent[delivery.channel]:
        return _("No consent for this channel.")
    if guest.do_not_contact:
        return _("The guest is marked do-not-contact.")
    if guest.is_confidential and not campaign.allows_confidential:
        return _("The guest asked for confidential service.")
    if guest.merged_into_id or guest.is_anonymised:
        return _("The profile was merged or anonymised.")
    return None


def delivery_message(delivery, *, language=None):
    """(language, subject, text) of a delivery, in the guest's language when a template has it."""
    campaign = delivery.campaign
    templates = {
        t.language: t for t in MessageTemplate.objects.for_org(delivery.organization_id).filter(campaign=campaign)
    }
    available = set(templates) or set(DEFAULT_TEXTS)
    language = language or language_for(delivery.guest, available, delivery.hotel.organization.default_language)
    if language in templates:
        subject, body = templates[language].subject, templates[language].body
    else:
        subject, body = DEFAULT_TEXTS.get(language, DEFAULT_TEXTS["en"])[campaign.kind]
    holiday = campaign.holiday
    values = {
        "guest_name": delivery.guest.native_name
        if language == "zh-hans" and delivery.guest.native_name
        else delivery.guest.display_name,
        "hotel_name": delivery.hotel.name,
        "occasion_date": delivery.occasion_on.isoformat(),
        "holiday_name": (holiday.name_zh if language == "zh-hans" and holiday.name_zh else holiday.name)
        if holiday
        else "",
        "survey_url": absolute_url("care:survey", make_token(SURVEY_SALT, delivery)) if delivery.pk else "",
        "unsubscribe_url": absolute_url("care:unsubscribe", make_token(UNSUBSCRIBE_SALT, delivery))
        if delivery.pk
        else "",
    }
    return language, render(subject, values).strip(), render(body, values).strip()


def delivery_send(*, organization_id, delivery_id, now=None):
    """Send one queued delivery at most once; returns (status, retry_in_seconds or None).

    The row stays locked while the message goes out: a second worker holding the same chunk
    (a redelivered task while the first still runs) waits here, then finds the row sent.
    A worker killed mid-send rolls the row back to queued, and the redelivered chunk sends it.
    """
    now = now or timezone.now()
    retry_in = None
    with transaction.atomic():
        delivery = (
            Delivery.objects.for_org(organization_id)
            .select_for_update(of=("self",))
            .select_related("guest", "campaign__holiday", "hotel__organization")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
            return (delivery.status if delivery else None), None
        rule = care_settings_for(delivery.hotel)
        local = now.astimezone(delivery.hotel.tz)
        if delivery.channel != Channel.CALL and rule.in_quiet_hours(local.time()):
            end = datetime.datetime.combine(local.date(), rule.quiet_end, tzinfo=delivery.hotel.tz)
            if end <= local:
                end += datetime.timedelta(days=1)
            delivery.next_attempt_at = end
            delivery.save(update_fields=["next_attempt_at"])
            return delivery.status, max(int((end - local).total_seconds()), 1)
        refusal = _still_allowed(delivery)
        if refusal:
            delivery.status, delivery.last_error = DeliveryStatus.SKIPPED, refusal[:300]
            delivery.save(update_fields=["status", "last_error"])
            return delivery.status, None
        delivery.attempts += 1
        try:
            if delivery.channel == Channel.CALL:
                CallTask.objects.get_or_create(
                    organization_id=organization_id,
                    delivery=delivery,
                    defaults={
                        "hotel": delivery.hotel,
                        "guest": delivery.guest,
                        "campaign": delivery.campaign,
                        "reason": CallReason.CAMPAIGN,
                        "due_on": delivery.occasion_on,
                        "assigned_to": delivery.guest.relationship_owner,
                    },
                )
                delivery.language = ""
            else:
                address = _contact(delivery.guest, delivery.channel)
                if not address:
                    raise PermanentSendError(_("No address for this channel."))
                language, subject, text = delivery_message(delivery)
                delivery.language = language
                unsubscribe_url = absolute_url("care:unsubscribe", make_token(UNSUBSCRIBE_SALT, delivery))
                reference = f"care-{organization_id}-{delivery.pk}"
                if delivery.channel == Channel.EMAIL:
                    footer = UNSUBSCRIBE_FOOTER.get(language, UNSUBSCRIBE_FOOTER["en"]).format(url=unsubscribe_url)
                    email_send(
                        to=address,
                        subject=subject or delivery.hotel.name,
                        text=f"{text}\n\n--\n{footer}",
                        unsubscribe_url=unsubscribe_url,
                        reference=reference,
                    )
                else:
                    sms_backend().send(to=address, text=text, reference=reference)
        except TransientSendError as error:
            delivery.last_error = str(error)[:300]
            if delivery.attempts >= conf.MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            else:
                retry_in = conf.retry_delay_seconds(delivery.attempts)
                delivery.next_attempt_at = now + datetime.timedelta(seconds=retry_in)
        except PermanentSendError as error:
            delivery.status = DeliveryStatus.BOUNCED if error.bounced else DeliveryStatus.FAILED
            delivery.last_error = str(error)[:300]
        else:
            delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, timezone.now(), ""
            delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at", "language"])
    return delivery.status, retry_in


def care_chunk_send(*, organization_id, run_id, first_id, last_id):
    """Send the still-queued deliveries of one chunk; returns [(delivery_id, retry_in)] to retry later."""
    now = timezone.now()
    ids = list(
        Delivery.objects.for_org(organization_id)
        .filter(run_id=run_id, pk__gte=first_id, pk__lte=last_id, status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", "next_attempt_at")
    )
    retries = []
    pause = conf.send_pause_seconds()
    for delivery_id, next_attempt_at in ids:
        if next_attempt_at and next_attempt_at > now:
            retries.append((delivery_id, max(int((next_attempt_at - now).total_seconds()), 1)))
            continue
        _status, retry_in = delivery_send(organization_id=organization_id, delivery_id=delivery_id)
        if retry_in:
            retries.append((delivery_id, retry_in))
        if pause:
            time.sleep(pause)
    care_run_finish_if_done(organization_id=organization_id, run_id=run_id)
    return retries


# --- Guests answering: unsubscribe and survey -------------------------------------------------


def delivery_for_token(salt, token):
    found = read_token(salt, token)
    if found is None:
        return None
    organization_id, delivery_id = found
    # The signed token names its organization: the guest's page runs in that tenant's context.
    rls.activate(organization_id)
    return (
        Delivery.objects.for_org(organization_id)
        .select_related("guest", "hotel__organization", "campaign")
        .filter(pk=delivery_id)
        .first()
    )


CONSENT_FIELDS = {Channel.EMAIL: "consent_email", Channel.SMS: "consent_sms", Channel.CALL: "consent_phone"}


@transaction.atomic
def guest_unsubscribe(*, token, request=None):
    """Withdraw the guest's consent for the channel the message came by; audited. Repeat-safe."""
    delivery = delivery_for_token(UNSUBSCRIBE_SALT, token)
    if delivery is None:
        raise CareError(_("This unsubscribe link is not valid."), code="bad_token")
    guest = type(delivery.guest).objects.for_org(delivery.organization_id).select_for_update().get(pk=delivery.guest_id)
    field = CONSENT_FIELDS[delivery.channel]
    if getattr(guest, field):
        setattr(guest, field, False)
        setattr(guest, f"{field}_at", timezone.now())
        setattr(guest, f"{field}_source", ConsentSource.EMAIL_LINK)
        guest.save(update_fields=[field, f"{field}_at", f"{field}_source", "updated_at"])
        Unsubscribe.objects.create(
            organization_id=delivery.organization_id, guest=guest, channel=delivery.channel, delivery=delivery
        )
        audit_record(
            action="guest.consent_withdraw",
            organization=delivery.hotel.organization,
            hotel=delivery.hotel,
            actor_label="guest (unsubscribe link)",
            obj=guest,
            fields=[field],
            request=request,
            extra={"delivery": delivery.pk},
        )
    return delivery


@transaction.atomic
def survey_submit(*, token, csat, nps, comment="", request=None):
    delivery = delivery_for_token(SURVEY_SALT, token)
    if delivery is None:
        raise CareError(_("This survey link is not valid."), code="bad_token")
    if not (isinstance(csat, int) and 1 <= csat <= 5 and isinstance(nps, int) and 0 <= nps <= 10):
        raise CareError(_("Give a satisfaction score from 1 to 5 and a recommendation score from 0 to 10."))
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                organization_id=delivery.organization_id,
                hotel=delivery.hotel,
                delivery=delivery,
                guest=delivery.guest,
                csat=csat,
                nps=nps,
                comment=(comment or "").strip()[:2000],
            )
    except IntegrityError as error:
        raise CareError(_("Thank you: this survey has already been answered."), code="already_answered") from error
    audit_record(
        action="care.survey_answer",
        organization=delivery.hotel.organization,
        hotel=delivery.hotel,
        actor_label="guest (survey link)",
        obj=response,
        request=request,
        extra={"csat": csat, "nps": nps},
    )
    if response.csat <= 2:
        # A dissatisfied guest (CSAT 1-2) also becomes a complaint: complaints receives the event.
        description = response.comment or _(
            "Low satisfaction score in the post-stay survey: %(csat)s/5, NPS %(nps)s."
        ) % {"csat": response.csat, "nps": response.nps}
        survey_dissatisfied.send(
            sender=SurveyResponse,
            hotel=delivery.hotel,
            guest=delivery.guest,
            description=description,
            actor_label="guest (survey link)",
        )
    if response.is_low:
        # A badly rated stay is followed up by a person: a call task for the guest's owner.
        CallTask.objects.create(
            organization_id=delivery.organization_id,
            hotel=delivery.hotel,
            guest=delivery.guest,
            reason=CallReason.LOW_SCORE,
            survey=response,
            due_on=timezone.localdate(timezone=delivery.hotel.tz),
            assigned_to=delivery.guest.relationship_owner,
        )
    return response


@transaction.atomic
def call_task_complete(*, task, actor, outcome, report, request=None):
    # Locked so two staff closing the same task at once record one outcome.
    task = CallTask.objects.for_org(task.organization_id).select_for_update().get(pk=task.pk)
    if task.status != CallTaskStatus.OPEN:
        raise CareError(_("This call task is already closed."), code="closed")
    task.status, task.outcome, task.report = CallTaskStatus.DONE, outcome, report.strip()
    task.completed_by, task.completed_at = actor, timezone.now()
    task.save(update_fields=["status", "outcome", "report", "completed_by", "completed_at"])
    audit_record(
        action="care.call_complete",
        organization=task.hotel.organization,
        hotel=task.hotel,
        actor=actor,
        obj=task,
        request=request,
        extra={"outcome": outcome, "guest": task.guest_id},
    )
    return task
