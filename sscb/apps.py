from django.apps import AppConfig


class SscbConfig(AppConfig):
    name = "sscb"
    verbose_name = "The Board"
