"""Thin Celery tasks: each calls a service and returns what it did."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from .access_log import access_log_purge
from .reminders import reminders_sweep
from .retention import retention_sweep

# What a mail server that is down, slow or unknown raises, and a database that is briefly away:
# the task is tried again later. SMTP's own errors, and every network error (OSError: a refused
# or reset connection, EMAIL_TIMEOUT's TimeoutError, socket.gaierror for a mail host whose name
# does not resolve), as ``manage.py send_reminders`` also reads them.
RETRIED = (OperationalError, smtplib.SMTPException, OSError)


@shared_task(
    name="sscb.send_reminders",
    autoretry_for=RETRIED,
    retry_backoff=60,
    retry_kwargs={"max_retries": 5},
)
def send_reminders():
    """The daily reminder sweep. A digest the mail server refused is kept and the sweep raises
    its error, so the task is retried. Retrying is safe: nothing is sent twice."""
    return reminders_sweep()


@shared_task(name="sscb.purge_access_log", autoretry_for=(OperationalError,), retry_backoff=60)
def purge_access_log():
    """The daily retention purge of the access log."""
    return access_log_purge()


@shared_task(
    name="sscb.list_disposals",
    autoretry_for=RETRIED,
    retry_backoff=60,
    retry_kwargs={"max_retries": 5},
)
def list_disposals():
    """The monthly retention sweep: lists what has fallen due and tells the Business Unit.
    Retrying is safe: nothing is listed or told twice, and nothing is disposed of."""
    return retention_sweep()
