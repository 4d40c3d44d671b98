"""An archived agency is not chased: its attendees and their managers are sent no 6–8-week
follow-up, while another agency's still are."""

import datetime

from django.utils import timezone

from sscb.reminders import reminders_sweep


def test_no_follow_up_goes_to_attendees_of_an_archived_agency(
    delivered, agency, mailoutbox, time_machine
):
    agency.is_active = False  # West Mercia Police, archived after the session
    agency.save()
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    result = reminders_sweep()
    # The social worker and their manager; not the two police officers nor their managers.
    assert result["sent"] == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["alex@csc.example", "manager.alex@csc.example"]
