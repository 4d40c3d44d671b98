"""System checks for settings that would quietly weaken the partnership's security."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


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
