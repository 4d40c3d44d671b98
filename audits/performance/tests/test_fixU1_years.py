"""A financial year that has not begun is refused in words, before its quarter's dates are worked
out: a year typed as 9999 has none (the upload answered with an error page)."""

from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .. import services
from ..models import IndicatorValue
from .factories import IndicatorFactory, IndicatorSetFactory

pytestmark = pytest.mark.django_db
TODAY = "2025-11-10"  # Q3 of 2025/26
HEADER = "indicator,financial year,quarter,value,commentary\r\n"


def _upload(client, agency, *rows):
    text = HEADER + "".join(rows)
    return client.post(
        reverse("performance:upload"),
        {"agency": agency.pk, "file": SimpleUploadedFile("v.csv", text.encode())},
    )


@time_machine.travel(TODAY)
def test_an_upload_with_a_year_past_the_calendar_says_which_row_and_stores_nothing(
    client, agency_user
):
    indicator = IndicatorFactory(
        indicator_set=IndicatorSetFactory(), agency=agency_user.agency, name="Visits on time"
    )
    client.force_login(agency_user)
    response = _upload(
        client,
        agency_user.agency,
        f"{indicator.name},2025,Q1,80,\r\n",
        f"{indicator.name},9999,Q3,5,\r\n",
        f"{indicator.name},2099,Q4,5,\r\n",
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert (
        "Row 3: financial year: The financial year 9999/00 has not begun: give a year from "
        "2015/16 to 2025/26." in page
    )
    assert "Row 4: financial year: The financial year 2099/00 has not begun" in page
    assert not IndicatorValue.objects.exists()


@time_machine.travel(TODAY)
def test_a_value_for_a_year_not_begun_is_refused_by_the_service_and_the_page(client, agency_user):
    indicator = IndicatorFactory(indicator_set=IndicatorSetFactory(), agency=agency_user.agency)
    with pytest.raises(ValidationError, match="The financial year 9999/00 has not begun"):
        services.indicator_value_submit(
            indicator=indicator, by=agency_user, year=9999, quarter=4, value=Decimal(5)
        )
    client.force_login(agency_user)
    url = reverse("performance:submit", args=[indicator.uuid])
    refused = client.post(url, {"year": 9999, "quarter": 3, "value": "5"})
    assert refused.status_code == 400
    assert "Choose one of the financial years listed" in unescape(refused.content.decode())
    # The year as it is stays open: the quarter just ended is taken.
    assert client.post(url, {"year": 2025, "quarter": 2, "value": "5"}).status_code == 302
    assert IndicatorValue.objects.get().year == 2025
