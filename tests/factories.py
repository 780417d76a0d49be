import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from guests.models import GuestProfile, PreferenceType, PreferenceValueType, Stay, StayStatus
from hotelcrm.models import Hotel, Membership, Organization, Role

DEMO_PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class HotelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hotel

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Hotel {n}")
    code = factory.Sequence(lambda n: f"h{n}")
    time_zone = "Asia/Shanghai"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    hotel = factory.SubFactory(HotelFactory)
    organization = factory.SelfAttribute("hotel.organization")
    role = Role.FRONT_DESK


class GuestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuestProfile

    organization = factory.SubFactory(OrganizationFactory)
    family_name = factory.Sequence(lambda n: f"Family{n}")
    given_name = factory.Sequence(lambda n: f"Given{n}")
    nationality = "CN"


class StayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stay

    hotel = factory.SubFactory(HotelFactory)
    organization = factory.SelfAttribute("hotel.organization")
    guest = factory.SubFactory(GuestFactory, organization=factory.SelfAttribute("..organization"))
    pms_reservation_id = factory.Sequence(lambda n: f"RES{n:07d}")
    # Today in the hotel's own time zone, as the front desk counts days.
    arrival_on = factory.LazyAttribute(lambda s: timezone.localdate(timezone=s.hotel.tz))
    departure_on = factory.LazyAttribute(lambda s: s.arrival_on + datetime.timedelta(days=2))
    status = StayStatus.BOOKED
    room_number = factory.Sequence(lambda n: f"{100 + n % 900}")


class PreferenceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreferenceType

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"pref-{n}")
    category = "Room"
    name = factory.Sequence(lambda n: f"Preference {n}")
    value_type = PreferenceValueType.TEXT
