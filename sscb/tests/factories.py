import factory

from sscb.models import Agency, StrategicPriority, SubGroup, SubGroupMembership, User

PASSWORD = "safeguarding-demo"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner agency {n}")
    short_name = factory.Sequence(lambda n: f"PA{n}")
    kind = Agency.Kind.HEALTH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    role = User.Role.SUBGROUP_MEMBER

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])


class SubGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubGroup
        django_get_or_create = ["code"]

    code = SubGroup.Code.LEARNING_IMPROVEMENT
    name = factory.LazyAttribute(lambda group: SubGroup.Code(group.code).label)


class SubGroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubGroupMembership

    subgroup = factory.SubFactory(SubGroupFactory)
    user = factory.SubFactory(UserFactory)


class StrategicPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicPriority

    title = factory.Sequence(lambda n: f"Priority {n}")
    start_year = 2025


BEAT_SCHEDULE_MIGRATIONS = (
    "sscb.migrations.0003_default_beat_schedule",
    "sscb.migrations.0006_access_log_purge_schedule",
    "sscb.migrations.0009_monthly_disposal_sweep_schedule",
)


def install_beat_schedule():
    """The beat schedule the migrations install, as they install it (each step finds what is
    there): a transactional test's flush may have run before a test that reads it, on the same
    worker."""
    import importlib

    from django.apps import apps

    for name in BEAT_SCHEDULE_MIGRATIONS:
        importlib.import_module(name).install(apps, None)
