"""The birth date leaves no clear year, month or day (guests/birth_dates.py).

Adds the keyed month-day and date indexes and the decade, fills them from the encrypted date
(the historical model decrypts it), then drops birth_year, birth_month and birth_day. Backwards
adds the three columns again and fills them from the encrypted date. A large table may want the
backfill run after deploy; it reads the guests with a birth date only, in batches.
"""
import datetime

from django.db import migrations, models

BATCH = 2000


def _dated_guests(GuestProfile):
    rows = GuestProfile.objects.exclude(birth_date="").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        yield batch


def _parse(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def forwards(apps, schema_editor):
    from guests.birth_dates import birth_date_columns

    GuestProfile = apps.get_model("guests", "GuestProfile")
    for batch in _dated_guests(GuestProfile):
        for guest in batch:
            for name, value in birth_date_columns(guest.organization_id, _parse(guest.birth_date)).items():
                setattr(guest, name, value)
        GuestProfile.objects.bulk_update(batch, ["birthday_index", "birth_date_index", "birth_decade"])


def backwards(apps, schema_editor):
    GuestProfile = apps.get_model("guests", "GuestProfile")
    for batch in _dated_guests(GuestProfile):
        for guest in batch:
            date = _parse(guest.birth_date)
            guest.birth_year, guest.birth_month, guest.birth_day = (date.year, date.month, date.day) if date else (None,) * 3
        GuestProfile.objects.bulk_update(batch, ["birth_year", "birth_month", "birth_day"])


class Migration(migrations.Migration):

    dependencies = [
        ('guests', '0008_stay_departure_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='guestprofile',
            name='birth_date_index',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='guestprofile',
            name='birth_decade',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='guestprofile',
            name='birthday_index',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.RemoveIndex(
            model_name='guestprofile',
            name='guest_org_birthday_idx',
        ),
        migrations.RemoveField(
            model_name='guestprofile',
            name='birth_day',
        ),
        migrations.RemoveField(
            model_name='guestprofile',
            name='birth_month',
        ),
        migrations.RemoveField(
            model_name='guestprofile',
            name='birth_year',
        ),
        migrations.AddIndex(
            model_name='guestprofile',
            index=models.Index(fields=['organization', 'birthday_index'], name='guest_org_birthday_index_idx'),
        ),
        migrations.AddIndex(
            model_name='guestprofile',
            index=models.Index(fields=['organization', 'birth_date_index'], name='guest_org_birth_date_idx'),
        ),
    ]
