"""What the base layout needs on every page: the navigation and who is signed in."""

from django.conf import settings

from .access import can_read_scrutiny, can_record_work, can_see_dashboard, can_see_my_agency
from .record_urls import url_for
from .signin import setting_up_second_factor

# (label, url name, who sees it: "everyone", "business_unit", or the rule the page itself
# requires, called with the user). Every area a person uses is reachable from here.
NAVIGATION = [
    ("Home", "home", "everyone"),
    ("My agency", "learning:my_agency", can_see_my_agency),
    ("Partnership", "partnership", "everyone"),
    ("Reviews", "reviews:list", "everyone"),
    ("Audits", "audits:list", "everyone"),
    ("Learning", "learning:index", "everyone"),
    ("Meetings", "meetings:list", "everyone"),
    ("Training", "training:list", "everyone"),
    ("Dashboard", "dashboard:index", can_see_dashboard),
    ("Disposals", "retention:due", "business_unit"),
]


def layout(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"board_name": settings.BOARD_NAME, "navigation": []}
    if setting_up_second_factor(user):  # nothing else opens yet: no menu that leads nowhere
        return {"board_name": settings.BOARD_NAME, "navigation": [], "setting_up": True}
    path = request.path
    navigation = []
    for label, url_name, audience in NAVIGATION:
        if audience == "business_unit" and not user.is_business_unit:
            continue
        if callable(audience) and not audience(user):
            continue
        navigation.append({"label": label, "url": url_for(url_name), "active": False})
    # The page's own area: the longest link its path starts with ("My agency", not "Learning").
    areas = [item for item in navigation if path == item["url"] or path.startswith(item["url"])]
    areas = [item for item in areas if item["url"] != "/" or path == "/"]
    if areas:
        max(areas, key=lambda item: len(item["url"]))["active"] = True
    return {
        "board_name": settings.BOARD_NAME,
        "navigation": navigation,
        "show_admin_link": user.is_active and user.is_business_unit,
        # Called by the template only where a page asks (sub-group ids cost a query).
        "can_record_work": lambda: can_record_work(user),
        "can_read_scrutiny": lambda: can_read_scrutiny(user),
    }
