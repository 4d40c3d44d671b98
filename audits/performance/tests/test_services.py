import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from .. import services
from ..models import Indicator, IndicatorValue
from .factories import IndicatorFactory

pytestmark = pytest.mark.django_db

HEADER = "indicator,financial year,quarter,value,commentary\r\n"


def csv_file(*rows):
    return SimpleUploadedFile("values.csv", (HEADER + "".join(rows)).encode())


@pytest.fixture
def indicators(agency):
    return [
        IndicatorFactory(name="Re-referrals within 12 months", agency=agency, polarity="lower"),
        IndicatorFactory(name="Strategy discussions within 1 day", agency=agency),
    ]


@time_machine.travel("2025-11-10")
def test_an_agency_lead_submits_and_corrects_their_own_indicator(agency_user, indicators):
    indicator = indicators[0]
    services.indicator_value_submit(
        indicator=indicator, by=agency_user, year=2025, quarter=2, value=Decimal("21.5")
    )
    value = services.indicator_value_submit(
        indicator=indicator,
        by=agency_user,
        year=2025,
        quarter=2,
        value=Decimal("20"),
        commentary="Corrected after data cleansing.",
    )
    assert IndicatorValue.objects.get() == value
    assert value.value == Decimal("20")
    assert [h.value for h in value.history.order_by("history_date")] == [
        Decimal("21.50"),
        Decimal("20.00"),
    ]


@time_machine.travel("2025-11-10")
def test_an_agency_lead_cannot_submit_for_another_agency(agency_user, other_agency):
    theirs = IndicatorFactory(agency=other_agency)
    with pytest.raises(ValidationError, match="only for your own agency"):
        services.indicator_value_submit(
            indicator=theirs, by=agency_user, year=2025, quarter=2, value=Decimal(50)
        )
    result = services.indicator_values_import(
        by=agency_user,
        agency=other_agency,
        upload=csv_file(f"{theirs.name},2025,Q2,50,\r\n"),
    )
    assert result.errors == ["You may submit values only for your own agency."]
    assert not IndicatorValue.objects.exists()


@time_machine.travel("2025-11-10")
def test_a_quarter_not_yet_ended_or_not_due_is_refused(agency_user, agency):
    annual = IndicatorFactory(agency=agency, frequency=Indicator.Frequency.ANNUALLY)
    with pytest.raises(ValidationError, match="has not ended yet"):
        services.indicator_value_submit(
            indicator=annual, by=agency_user, year=2025, quarter=4, value=Decimal(50)
        )
    with pytest.raises(ValidationError, match="returned in Q4 only, not in Q2"):
        services.indicator_value_submit(
            indicator=annual, by=agency_user, year=2025, quarter=2, value=Decimal(50)
        )


@time_machine.travel("2025-11-10")
def test_an_upload_with_one_bad_row_stores_nothing_and_names_the_row(agency_user, indicators):
    result = services.indicator_values_import(
        by=agency_user,
        agency=agency_user.agency,
        upload=csv_file(
            "Re-referrals within 12 months,2025,Q1,22.4,Up on last year\r\n",
            "Strategy discussions within 1 day,2025/26,2,ninety,\r\n",
            "Re-referrals within 12 months,2025,2,21.0,\r\n",
        ),
    )
    assert result.errors == ["Row 3: the value “ninety” is not a number."]
    assert not IndicatorValue.objects.exists()


@time_machine.travel("2025-11-10")
def test_an_upload_names_each_problem_by_its_row(agency_user, indicators):
    result = services.indicator_values_import(
        by=agency_user,
        agency=agency_user.agency,
        upload=csv_file(
            "Unknown indicator,2025,Q1,1,\r\n",
            "Re-referrals within 12 months,2025,Q5,22,\r\n",
            "Re-referrals within 12 months,2025,Q3,22,\r\n",
            "Strategy discussions within 1 day,2025,Q1,120,\r\n",
            "Strategy discussions within 1 day,2025,Q1,95,Child A's figure 07700 900123\r\n",
        ),
    )
    errors = result.errors
    assert errors[0].startswith("Row 2: “Unknown indicator” is not one of West Mercia Police's")
    assert errors[1] == "Row 3: the quarter “Q5” is not 1 to 4 (or Q1 to Q4)."
    assert errors[2].startswith("Row 4: ") and "has not ended yet" in errors[2]
    assert errors[3] == "Row 5: value: A percentage is between 0 and 100."
    assert errors[4].startswith("Row 6: row 5 already gives its value for Q1 2025")
    assert not IndicatorValue.objects.exists()


@time_machine.travel("2025-11-10")
def test_a_good_xlsx_upload_stores_every_row_and_corrects_a_returned_quarter(
    agency_user, indicators
):
    services.indicator_value_submit(
        indicator=indicators[0], by=agency_user, year=2025, quarter=1, value=Decimal(30)
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["Indicator", "Financial year", "Quarter", "Value", "Commentary"])
    sheet.append(["Re-referrals within 12 months", 2025, 1, 22.4, "Corrected"])
    sheet.append(["strategy discussions within 1 day", "2025/26", "Q2", "91%", None])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("values.xlsx", buffer.getvalue())
    result = services.indicator_values_import(
        by=agency_user, agency=agency_user.agency, upload=upload
    )
    assert result.errors == [] and result.created == 2
    stored = dict(IndicatorValue.objects.values_list("indicator__name", "value"))
    assert stored == {
        "Re-referrals within 12 months": Decimal("22.40"),
        "Strategy discussions within 1 day": Decimal("91.00"),
    }
    corrected = IndicatorValue.objects.get(indicator=indicators[0])
    assert corrected.commentary == "Corrected"
    assert corrected.history.count() == 2


def test_a_file_not_in_the_template_is_refused_whole(agency_user, indicators):
    upload = SimpleUploadedFile("values.csv", b"name,value\r\nx,1\r\n")
    result = services.indicator_values_import(
        by=agency_user, agency=agency_user.agency, upload=upload
    )
    assert "The first row must name the template's columns" in result.errors[0]
