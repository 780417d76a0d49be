"""IDOR by id guessing: the ids right after one's own belong to the next organization.

Here B is built straight after A, without any jump in the id sequences, so for every table the
id after A's newest row is B's first row: exactly what someone editing a URL would try. For
every route that takes an id (UI and API), A's staff put the id of their own newest row and
then the next ones into each id slot (the other slots keep A's own ids): the answer must be the
one an id that exists nowhere gets, and must not show B's data. The own id answers otherwise on
the detail pages, so the slot really is the lookup. Rows of another hotel of one's own
organization are guessed too: hotel-owned rows (stays, complaints, call tasks...) answer 404 to
staff of another hotel.
"""

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import resolve
from django.urls.exceptions import Resolver404

from hotelcrm.models import Role
from hotelcrm.tenancy import HotelScopedModel
from tests.conftest import Tenants, build_tenant
from tests.isolation import GROUP, MISSING_ID, _body, all_routes
from tests.security.helpers import shows_b

MODEL_OF = {
    "guest_id": "guests.GuestProfile",
    "a_id": "guests.GuestProfile",
    "b_id": "guests.GuestProfile",
    "stay_id": "guests.Stay",
    "request_id": "guests.AccessRequest",
    "import_id": "guests.GuestImport",
    "merge_id": "guests.MergeRecord",
    "complaint_id": "complaints.Complaint",
    "item_id": "complaints.ChecklistItem",
    "compensation_id": "complaints.Compensation",
    "attachment_id": "complaints.Attachment",
    "membership_id": "loyalty.Membership",
    "reward_id": "loyalty.Reward",
    "order_id": "loyalty.RedemptionOrder",
    "adjustment_id": "loyalty.AdjustmentRequest",
    "campaign_id": "care.Campaign",
    "holiday_id": "care.Holiday",
    "task_id": "care.CallTask",
    "notification_id": "notifications.Notification",
    "key_id": "integrations.IntegrationKey",
    "subscription_id": "reports.ReportSubscription",
}
API_PK = {"api/v1/hotels/": "core.Hotel", "api/v1/guests/": "guests.GuestProfile"}


@pytest.fixture(scope="module")
def adjacent(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield Tenants(a=build_tenant("Alpha"), b=build_tenant("Bravo"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _model_for(regex, name):
    if name == "pk":
        label = next((label for prefix, label in API_PK.items() if regex.startswith(prefix)), None)
    else:
        label = MODEL_OF.get(name)
    return apps.get_model(label) if label else None


def _rows(model, organization):
    return model.objects.all_tenants_unscoped().filter(organization=organization)


def _id_routes():
    """(regex, pattern, [(slot, model)]) for every non-admin route whose slots are all known ids."""
    routes = []
    for regex, pattern, has_ids in all_routes():
        if not has_ids or regex.startswith("admin/"):
            continue
        slots = [(m.group("name"), _model_for(regex, m.group("name"))) for m in GROUP.finditer(regex)]
        if slots and all(model is not None for _name, model in slots if _name != "language"):
            routes.append((regex, pattern, slots))
    return routes


def _path(regex, values):
    def substitute(match):
        name = match.group("name")
        return str(values.get(name, "en"))

    path = GROUP.sub(substitute, regex).replace("\\Z", "").replace("$", "").replace("\\", "")
    return "/" + path


def _own_ids(slots, organization, hotel=None):
    own = {}
    for name, model in slots:
        if model is None:
            continue
        rows = _rows(model, organization)
        if hotel is not None and issubclass(model, HotelScopedModel):
            rows = rows.filter(hotel=hotel)
        own[name] = rows.order_by("-pk").values_list("pk", flat=True).first()
    return own


def _answer(client, user, method, path):
    if "_auth_user_id" not in client.session:
        client.force_login(user)
    response = getattr(client, method)(path)
    return response.status_code, _body(response)


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.MANAGER], ids=["front_desk", "manager"])
def test_guessing_the_ids_after_ones_own_reaches_nothing_of_the_next_organization(client, adjacent, db, role):
    a, b = adjacent.a, adjacent.b
    user = a.users[role]
    guessed_b_rows = opened_own = 0
    for regex, pattern, slots in _id_routes():
        own = _own_ids(slots, a.organization)
        if any(value is None for name, value in own.items()):
            continue
        try:
            resolve(_path(regex, own))
        except Resolver404:
            continue
        status, _body_text = _answer(client, user, "get", _path(regex, own))
        opened_own += status == 200
        for name, model in slots:
            if model is None:
                continue
            for method in ("get", "post"):
                missing = _answer(client, user, method, _path(regex, {**own, name: MISSING_ID}))
                assert missing[0] < 500, (method, regex, missing[0])
                for guess in (own[name] + 1, own[name] + 2):
                    is_b = _rows(model, b.organization).filter(pk=guess).exists()
                    is_a = _rows(model, a.organization).filter(pk=guess).exists()
                    path = _path(regex, {**own, name: guess})
                    status, body = _answer(client, user, method, path)
                    where = f"{method.upper()} {path} ({pattern.name}) as {role.value}, {name}={guess}"
                    assert status < 500, where
                    assert not shows_b(body), f"{where} shows organization B's data"
                    if is_b and not is_a:
                        guessed_b_rows += 1
                        assert status == missing[0], f"{where}: {status}, an unknown id gets {missing[0]}"
    # The guesses really hit B's rows, and the own ids really open pages.
    assert guessed_b_rows >= 40, guessed_b_rows
    assert opened_own >= 8, opened_own


def test_front_desk_of_one_hotel_cannot_reach_the_rows_of_another_hotel_by_id(client, adjacent, db):
    a = adjacent.a
    desk = a.users[Role.FRONT_DESK]  # a member of hotels[0] only
    other_hotel = a.hotels[1]
    reached = 0
    for regex, pattern, slots in _id_routes():
        hotel_slots = [(n, m) for n, m in slots if m is not None and issubclass(m, HotelScopedModel)]
        if not hotel_slots or regex.startswith("api/"):
            continue
        own = _own_ids(slots, a.organization)
        for name, model in hotel_slots:
            foreign = (
                _rows(model, a.organization)
                .filter(hotel=other_hotel)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            if foreign is None or any(v is None for v in own.values()):
                continue
            for method in ("get", "post"):
                missing = _answer(client, desk, method, _path(regex, {**own, name: MISSING_ID}))
                status, _body_text = _answer(client, desk, method, _path(regex, {**own, name: foreign}))
                where = f"{method.upper()} {_path(regex, {**own, name: foreign})} ({pattern.name}): another hotel's {model.__name__}"
                assert status == missing[0], f"{where}: {status}, an unknown id gets {missing[0]}"
                reached += 1
    assert reached >= 2  # at least the other hotel's stay, by GET and POST
