"""Sessions keep a digest of their key, not the key (hotelcrm/sessions.py): the live sessions'
keys are replaced by their digests, so no one is signed out by the change.

Backwards cannot give the keys back: it removes the sessions, and everyone signs in again.
"""
from django.db import migrations

DIGEST = "left(encode(sha256(convert_to(session_key, 'UTF8')), 'hex'), 40)"


class Migration(migrations.Migration):
    dependencies = [("core", "0008_dbwall_signed_tenant"), ("sessions", "0001_initial")]

    operations = [
        migrations.RunSQL(
            # Django's keys are 32 characters; a digest is 40, so a second run changes nothing.
            f"UPDATE django_session SET session_key = {DIGEST} WHERE length(session_key) < 40",
            "DELETE FROM django_session",
            elidable=False,
        )
    ]
