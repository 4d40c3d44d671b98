"""Numbers in a quarterly values file are read as the person wrote them: a decimal comma is
refused (never read as a number ten times larger), and a cell Excel shows as "5%" is 5, not
0.05 (found by uploading careless input)."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from .. import services
from ..models import IndicatorValue
from .test_services import csv_file, indicators  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2025-11-10", tick=False):
        yield


def _upload(agency_user, upload):
    return services.indicator_values_import(
        by=agency_user, agency=agency_user.agency, upload=upload
    )


def test_a_decimal_comma_is_refused_and_a_thousands_comma_read(agency_user, indicators):  # noqa: F811
    refused = _upload(agency_user, csv_file('Re-referrals within 12 months,2025,Q1,"4,5",\r\n'))
    assert refused.errors and refused.errors[0].startswith("Row 2: ")
    assert not IndicatorValue.objects.exists()
    indicators[0].unit = "count"
    indicators[0].save()
    read = _upload(agency_user, csv_file('Re-referrals within 12 months,2025,Q1,"1,250",\r\n'))
    assert read.errors == []
    assert IndicatorValue.objects.get().value == Decimal(1250)


def test_a_cell_shown_as_a_percentage_is_read_as_shown(agency_user, indicators):  # noqa: F811
    book = Workbook()
    sheet = book.active
    sheet.append(["Indicator", "Financial year", "Quarter", "Value", "Commentary"])
    sheet.append(["Re-referrals within 12 months", 2025, 1, 0.05, None])
    sheet["D2"].number_format = "0%"
    sheet.append(["Strategy discussions within 1 day", 2025, 1, 0.9125, None])
    sheet["D3"].number_format = "0.00%"
    buffer = io.BytesIO()
    book.save(buffer)
    result = _upload(agency_user, SimpleUploadedFile("values.xlsx", buffer.getvalue()))
    assert result.errors == []
    assert dict(IndicatorValue.objects.values_list("indicator__name", "value")) == {
        "Re-referrals within 12 months": Decimal("5.00"),
        "Strategy discussions within 1 day": Decimal("91.25"),
    }
