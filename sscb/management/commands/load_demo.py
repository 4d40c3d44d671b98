import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sscb import figures_cache
from sscb.demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = (
        "Load realistic demo data (idempotent). Each project app with a demo.py module adds its "
        "part, in PROJECT_APPS order. Refuses to run when DEBUG is off."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo only runs with DEBUG on: it creates users with a published password."
            )
        for app_name in settings.PROJECT_APPS:
            config = apps.get_app_config(
                app_name.rpartition(".")[2]
            )  # label: learning.meetings → meetings
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            importlib.import_module(module_name).load()
            self.stdout.write(f"Loaded demo data: {config.verbose_name}")
        figures_cache.bump()  # some demo records are written in bulk, which sends no signal
        self.stdout.write(self.style.SUCCESS(f"Demo users (password: {DEMO_PASSWORD}):"))
        for username, first, last, role, *_ in USERS:
            self.stdout.write(f"  {username:<14} {first} {last} — {role.label}")
