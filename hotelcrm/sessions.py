"""Database sessions whose table holds no live session key.

`django_session.session_key` stores a digest of the key (SHA-256, first 40 hex digits: the
column's width, 160 bits); the key itself lives only in the visitor's cookie. Whoever reads the
table (the application role needs to, on every request; so could an SQL injection) gets the
digests and the session data, and neither lets them sign in as anyone: the cookie must carry
the key, and a digest is not one. The key's 32 random characters make the digest impossible to
invert, so no secret is needed (and none could be kept from the application anyway).
"""

import hashlib
import logging

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone


def session_key_digest(session_key):
    return hashlib.sha256(session_key.encode()).hexdigest()[:40]


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        try:
            return self.model.objects.get(
                session_key=session_key_digest(self.session_key), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            self._session_key = None

    async def _aget_session_from_db(self):
        try:
            return await self.model.objects.aget(
                session_key=session_key_digest(self.session_key), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None

    def exists(self, session_key):
        return self.model.objects.filter(session_key=session_key_digest(session_key)).exists()

    async def aexists(self, session_key):
        return await self.model.objects.filter(session_key=session_key_digest(session_key)).aexists()

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.session_key = session_key_digest(instance.session_key)
        return instance

    async def acreate_model_instance(self, data):
        instance = await super().acreate_model_instance(data)
        instance.session_key = session_key_digest(instance.session_key)
        return instance

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self.model.objects.get(session_key=session_key_digest(session_key)).delete()
        except self.model.DoesNotExist:
            pass

    async def adelete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            obj = await self.model.objects.aget(session_key=session_key_digest(session_key))
            await obj.adelete()
        except self.model.DoesNotExist:
            pass
