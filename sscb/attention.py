"""What needs a person's attention, shown on their home page.

Each app registers providers (in its AppConfig.ready) so that the home page can gather them
without the project importing the domain apps. A provider takes the user and returns a list of
``Attention`` items, running a fixed number of queries whatever the number of rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef

from .lists import plural
from .record_urls import url_for

# Levels (Bootstrap's contextual classes), most urgent first, with the heading each group has.
URGENCY = {
    "danger": "Overdue or late",
    "warning": "Due soon, or waiting on you",
    "info": "To do",
    "success": "For information",
}


# A kind of item (clocks past due, reviews waiting for a decision) shows its most urgent few and
# then one line counting the rest, linked to the list that holds them: the home page stays the
# same size however many records there are.
SHOWN_OF_EACH_KIND = 10


@dataclass(frozen=True)
class Attention:
    title: str
    detail: str
    url: str = ""  # the list the title counts, filtered to what it counts
    level: str = "info"  # a key of URGENCY

    @property
    def urgency(self) -> str:
        return URGENCY[self.level]


_providers: list[Callable] = []


def the_rest(shown: int, in_all: int, *, one: str, many: str, detail: str, url: str, level: str):
    """The line after the first ``SHOWN_OF_EACH_KIND`` items of a kind: how many more there are
    (``one`` or ``many`` names them), linked to the list that holds them all; nothing if every
    one was shown."""
    rest = in_all - shown
    if rest <= 0:
        return []
    return [Attention(f"{rest:,} more {one if rest == 1 else many}", detail, url, level)]


def attention_provider(func):
    """Register ``func(user) -> list[Attention]`` for the home page."""
    if func not in _providers:
        _providers.append(func)
    return func


def attention_for(user) -> list[Attention]:
    """Everything waiting on ``user``, most urgent first (in each level, as the apps gave it).

    Asked only when the home page's lists are not kept for this person
    (``{% kept_for_reader %}`` in ``sscb/home.html``): the providers' queries were most of the
    home page's time, and people come back to it between every piece of work."""
    items = []
    for provider in _providers:
        items.extend(provider(user))
    order = list(URGENCY)
    return sorted(items, key=lambda item: order.index(item.level))


@attention_provider
def board_setup(user):
    """For the Business Unit: gaps in the Board's own reference data, each linked to where it
    is put right. Four queries."""
    from .models import Agency, StrategicPriority, SubGroup, User

    if not user.is_business_unit:
        return []
    items = []
    groups = list(
        SubGroup.objects.select_related("chair").annotate(member_count=Count("memberships"))
    )
    missing = [
        label for code, label in SubGroup.Code.choices if code not in {g.code for g in groups}
    ]
    if missing:
        items.append(
            Attention(
                title=f"{plural(len(missing), 'standing body', 'standing bodies')} not set up",
                detail="Add each under Sub-groups with its Code, so that its work, meetings and "
                "reminders have a home: " + ", ".join(missing) + ".",
                url=url_for("admin:sscb_subgroup_add"),
                level="warning",
            )
        )
    leads = User.objects.filter(role=User.Role.AGENCY_LEAD, is_active=True, agency=OuterRef("pk"))
    agencies = list(
        Agency.objects.filter(is_active=True)
        .annotate(has_lead=Exists(leads))
        .values_list("name", "has_lead")
        .order_by("name")
    )
    if not agencies:
        items.append(
            Attention(
                title="No partner agencies recorded",
                detail="Add the partner agencies and schools, then their leads under Users: "
                "reviews, actions and Section 11 / 175 returns are addressed to them.",
                url=url_for("admin:sscb_agency_add"),
                level="warning",
            )
        )
    without_lead = [name for name, has_lead in agencies if not has_lead]
    if without_lead:
        items.append(
            Attention(
                title=f"{plural(len(without_lead), 'agency', 'agencies')} without an active lead",
                detail="What is asked of them (actions, returns, chronologies) reaches nobody "
                "there: their reminders go to the sub-group chair instead. Add a lead (a user "
                "with the role Partner agency lead) for: " + ", ".join(without_lead) + ".",
                url=url_for("admin:sscb_user_add"),
                level="warning",
            )
        )
    # A chair whose account is inactive chairs nothing, and one with no email address hears
    # nothing: their escalations go to the Business Unit (sscb.reminders.Reach).
    without_chair = [
        group.name for group in groups if group.chair is None or not group.chair.is_active
    ]
    if without_chair:
        items.append(
            Attention(
                title=f"{plural(len(without_chair), 'sub-group')} without an active chair",
                detail="Appoint a chair for: " + ", ".join(without_chair) + ".",
                url=url_for("admin:sscb_subgroup_changelist"),
                level="warning",
            )
        )
    unreachable = [
        f"{group.chair.get_full_name() or group.chair.username} ({group.name})"
        for group in groups
        if group.chair is not None and group.chair.is_active and not group.chair.email.strip()
    ]
    if unreachable:
        items.append(
            Attention(
                title=f"{plural(len(unreachable), 'chair')} with no email address",
                detail="Their reminders go to the Business Unit until an address is added: "
                + ", ".join(unreachable)
                + ".",
                url=url_for("admin:sscb_user_changelist"),
                level="warning",
            )
        )
    without_members = [group.name for group in groups if not group.member_count]
    if without_members:
        items.append(
            Attention(
                title=f"{plural(len(without_members), 'sub-group')} with no members",
                detail="Add members to "
                + ", ".join(without_members)
                + " so that they can record their sub-group's work.",
                url=url_for("admin:sscb_subgroup_changelist"),
                level="warning",
            )
        )
    if not StrategicPriority.objects.offered().exists():
        items.append(
            Attention(
                title="No strategic priorities recorded",
                detail="Add the Board's strategic priorities so that learning themes can be "
                "tied to them.",
                url=url_for("admin:sscb_strategicpriority_add"),
                level="warning",
            )
        )
    return items
