"""The scorecard's download is named by the financial year it reads, and its sheets keep it."""

import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from .factories import IndicatorFactory, IndicatorSetFactory

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-07")
def test_the_scorecard_file_is_named_by_its_financial_year(client, bu_user, agency):
    card = IndicatorSetFactory(name="QAP core dataset")
    IndicatorFactory(indicator_set=card, agency=agency)
    client.force_login(bu_user)
    query = {"year": 2026, "quarter": 2}
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse(f"performance:scorecard-{fmt}", args=[card.uuid]), query)
        # "scorecard-Q2-2026" read as calendar 2026; Q2 of 2026/27 is July to September 2026.
        expected = f'attachment; filename="scorecard-2026-27-Q2.{fmt}"'
        assert response["Content-Disposition"] == expected
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["Scorecard Q2 2026-27", "Trend to Q2 2026-27"]
