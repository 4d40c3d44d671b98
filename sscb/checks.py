"""System checks for settings that would quietly weaken the partnership's security."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", None}


@register(Tags.security)
def email_is_encrypted(app_configs, **kwargs):
    """Reminder digests name reviews: in production they must not cross the network in clear."""
    if settings.DEBUG or settings.EMAIL_BACKEND != SMTP_BACKEND:
        return []
    if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL:
        return []
    return [
        Warning(
            "Email is sent over SMTP without TLS or SSL while DEBUG is off.",
            hint="Digests name reviews: leave EMAIL_USE_TLS unset (on by default) or set "
            "EMAIL_USE_SSL=1 for an implicit-TLS port.",
            id="sscb.W001",
        )
    ]


@register(Tags.security)
def second_factor_roles_exist(app_configs, **kwargs):
    """A misspelt role in MFA_REQUIRED_ROLES would silently leave that role without MFA."""
    from .models import User

    unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - {"all", *User.Role.values})
    if not unknown:
        return []
    return [
        Error(
            f"MFA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use 'all' or some of: {', '.join(User.Role.values)}.",
            id="sscb.E001",
        )
    ]


@register(Tags.security, deploy=True)
def uploads_kept_outside_the_checkout(app_configs, **kwargs):
    """Evidence files kept in the code's folder are lost or exposed with it (a redeploy, a copy)."""
    if settings.DEBUG or settings.STORAGE_BACKEND != "local":
        return []
    if not Path(settings.MEDIA_ROOT).resolve().is_relative_to(settings.BASE_DIR.resolve()):
        return []
    return [
        Warning(
            f"Uploaded files are stored inside the application's folder ({settings.MEDIA_ROOT}).",
            hint="Set MEDIA_ROOT to a folder outside it that is backed up, or STORAGE_BACKEND=s3 "
            "with AWS_STORAGE_BUCKET_NAME (see README, 'Uploaded files').",
            id="sscb.W002",
        )
    ]


@register(Tags.security)
def email_uses_one_kind_of_encryption(app_configs, **kwargs):
    """Django refuses to send with both: every reminder would fail, the first at 07:00."""
    if not (settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL):
        return []
    return [
        Error(
            "EMAIL_USE_TLS and EMAIL_USE_SSL are both on: no email could be sent.",
            hint="Use EMAIL_USE_SSL=1 for an implicit-TLS port (465), or leave it unset for "
            "STARTTLS (587).",
            id="sscb.E002",
        )
    ]


@register(Tags.security, deploy=True)
def emails_name_this_site(app_configs, **kwargs):
    """Every link in an email (a reminder, a password reset, a training questionnaire) is made
    from SITE_URL, and replies go to DEFAULT_FROM_EMAIL: left as they are for the demo, links
    point to the sender's own machine."""
    if settings.DEBUG:
        return []
    found = []
    if urlsplit(settings.SITE_URL).hostname in LOCAL_HOSTS:
        found.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL}: links in emails would point there.",
                hint="Set SITE_URL to the address people open the tracker at, e.g. "
                "https://learning.example.org.",
                id="sscb.W003",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith("@localhost"):
        found.append(
            Warning(
                f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL}.",
                hint="Set DEFAULT_FROM_EMAIL to the Business Unit's address, so that reminders "
                "are delivered and can be answered.",
                id="sscb.W004",
            )
        )
    return found


@register(Tags.security, deploy=True)
def cache_is_shared(app_configs, **kwargs):
    """Without Redis each web worker keeps its own cache: sign-in limits count per worker, a
    second-factor code used on one worker can be used again on another, and kept pages and
    figures are made once a worker."""
    if settings.DEBUG or settings.SHARED_CACHE:
        return []
    return [
        Warning(
            "REDIS_URL is not set: each web worker keeps its own cache.",
            hint="Set REDIS_URL (the same Redis as Celery's broker will do): sign-in limits and "
            "used second-factor codes are then shared by every worker and server.",
            id="sscb.W005",
        )
    ]
