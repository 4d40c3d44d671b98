"""WSGI entry point, as served by gunicorn: ``gunicorn sscb.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscb.settings")

application = get_wsgi_application()
