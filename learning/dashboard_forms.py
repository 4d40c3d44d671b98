"""Moved to learning.dashboard.forms; this name goes once nothing imports it from here."""

from learning.dashboard.forms import DashboardFilterForm, ReportPeriodForm  # noqa: F401
