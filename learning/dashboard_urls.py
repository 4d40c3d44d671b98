"""Moved to learning.dashboard.urls; this name goes once sscb/urls.py includes the new one."""

from learning.dashboard.urls import app_name, urlpatterns  # noqa: F401
