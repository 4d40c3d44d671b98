"""Signing in: allauth's adapter, the second-factor rule, the lockout's username, the account
throttle with its device cookie, and the Business Unit's resets of a password or second factor.

Lockouts are shaped so that nobody can use them to shut a named person out: django-axes locks a
(username, address) pair; beyond that, many failures for one username from anywhere only make
browsers that have never signed in as that person wait (OWASP's "device cookie" pattern).
"""

import enum
import logging
import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import default_token_generator
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context, ratelimit
from allauth.mfa.base.forms import AuthenticateForm as MfaAuthenticateForm
from allauth.mfa.models import Authenticator
from axes.models import AccessFailureLog
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef
from django.db.models.query import get_related_populators
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .access import sits_on_a_subgroup_sql
from .client_ip import client_ip

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "sscb_device"
DEVICE_COOKIE_SALT = "sscb.signin.device"
DEVICE_COOKIE_MAX_AGE = timedelta(days=180)
DEVICE_COOKIE_MAX_PEOPLE = 5  # a shared office computer remembers a few people, not everyone

ACCOUNT_THROTTLED = (
    "Too many attempts for this account from unrecognised devices; try again later or use a "
    "device you have signed in from before."
)


def normalise_username(value: str) -> str:
    """Usernames as lockouts count them: "Member " and "member" are one account's attempts."""
    return value.strip().lower()


def axes_username(request, credentials=None) -> str | None:
    """The username django-axes locks (with the address): allauth's form calls it "login"."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("login")
    if not value and request is not None and hasattr(request, "POST"):
        value = request.POST.get("login") or request.POST.get("username")
    return normalise_username(value) if value else None


# The device cookie: after a complete sign-in (password and second factor) the browser is given
# a signed cookie naming that person, so that it can still try when strangers are being turned
# away for that account.


def trusted_usernames(request) -> list[str]:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        names = signing.loads(raw, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(names, list):
        return []
    return [name for name in names if isinstance(name, str)]


def remember_device(request, response, user) -> None:
    name = normalise_username(user.get_username())
    others = [other for other in trusted_usernames(request) if other != name]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps([name, *others][:DEVICE_COOKIE_MAX_PEOPLE], salt=DEVICE_COOKIE_SALT),
        max_age=int(DEVICE_COOKIE_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def account_throttled(request, username: str) -> bool:
    """Whether this browser must wait before trying this username again.

    True when the username has had LOGIN_ACCOUNT_THROTTLE or more failures (from any address)
    within the cool-off time and this browser has no device cookie for it.
    """
    limit = settings.LOGIN_ACCOUNT_THROTTLE
    name = normalise_username(username)
    if not limit or not name or name in trusted_usernames(request):
        return False
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessFailureLog.objects.filter(username=name, attempt_time__gte=since)
    return recent[:limit].count() >= limit


TOO_MANY_CODES = "Too many wrong codes for this account. Wait five minutes, then try again."


class AuthenticateForm(MfaAuthenticateForm):
    """The code after the password, with a limit on wrong codes per account from any address:
    allauth's own per-account limit shares its setting with wrong passwords, where this product
    counts per address (settings.ACCOUNT_RATE_LIMITS)."""

    def clean_code(self):
        key = f"second-factor-{self.user.pk}"
        if not ratelimit.consume(context.request, action="second_factor_failed", key=key):
            raise forms.ValidationError(TOO_MANY_CODES)
        code = super().clean_code()
        ratelimit.clear(context.request, action="second_factor_failed", key=key)
        return code


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "Please enter a correct username and password.",
        "too_many_login_attempts": "Too many failed sign-ins from this address. Wait a minute.",
        "account_throttled": ACCOUNT_THROTTLED,
    }

    def is_open_for_signup(self, request):
        return False  # the Business Unit creates accounts in the Django admin

    def set_password(self, user, password):
        """A person's own change of password (or one chosen from a reset link) says so in their
        history, which keeps no password: otherwise an entry showing nothing."""
        user.set_password(password)
        _save_with_reason(user, "Chose a new password")

    def get_client_ip(self, request):
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address")
        return address

    def pre_authenticate(self, request, **credentials):
        username = credentials.get("username")
        if username and account_throttled(request, username):
            raise self.validation_error("account_throttled")
        super().pre_authenticate(request, **credentials)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # Not "Successfully signed in" on the page that sets up the second factor: nothing else
        # opens until that is done.
        if message_template == "account/messages/logged_in.txt" and setting_up_second_factor(
            request.user
        ):
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def get_reset_password_from_key_url(self, key):
        # The site's own address (SITE_URL), as the forced reset's link: never the Host the
        # request came with, which whoever asks for the link chooses.
        uidb36, token = key.split("-", 1)
        return reset_password_url(uidb36, token)

    def send_password_reset_mail(self, user, email, context):
        # "Forgotten your password?": the partnership's own words, as its forced reset has. A
        # send that fails is logged, and the page says what it says for any address (it must
        # not tell who has an account): nothing is recorded, so asking again later works.
        if not is_current_address(user, email):
            # allauth also finds a person by every address it has kept for them: one the
            # Business Unit has since replaced must not receive a link to their account.
            logger.info("No reset link for user %s: not their address now", user.pk)
            return
        try:
            super().send_password_reset_mail(
                user, user.email, {**context, **_reset_email_context()}
            )
        except (smtplib.SMTPException, OSError):
            logger.exception("The password reset email to user %s could not be sent", user.pk)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        remember_device(request, response, user)
        return response

    def is_reauthentication_required(self, *, app, **kwargs):
        # Setting up a first second factor (and seeing its recovery codes) straight after
        # signing in: the password was typed moments ago, so asking again would only puzzle.
        request = context.request
        if app == "allauth.mfa" and request.user.is_authenticated:
            signed_in_at = _password_sign_in_moments_ago(request)
            if signed_in_at and not _second_factor_before(request.user, signed_in_at):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def is_current_address(user, email: str) -> bool:
    """Whether ``email`` is ``user``'s address now (capitals aside): the only one their reset
    link goes to."""
    return bool(user.email) and user.email.strip().casefold() == email.strip().casefold()


def _password_sign_in_moments_ago(request) -> float | None:
    """When this session signed in with a password, if that was within allauth's
    reauthentication timeout."""
    recent = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
    times = [
        record.get("at", 0)
        for record in get_authentication_records(request, request.user)
        if record.get("method") == "password"
    ]
    return max(times) if times and max(times) >= recent else None


def _second_factor_before(user, timestamp: float) -> bool:
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return _second_factors().filter(user=user, created_at__lt=moment).exists()


# The second factor, required by role (settings.MFA_REQUIRED_ROLES).


def second_factor_required(user) -> bool:
    roles = settings.MFA_REQUIRED_ROLES
    return "all" in roles or user.role in roles


def _second_factors():
    """An authenticator app or a passkey; recovery codes alone are only their back-up."""
    return Authenticator.objects.exclude(type=Authenticator.Type.RECOVERY_CODES)


def setting_up_second_factor(user) -> bool:
    """Whether ``user`` (signed in) must set up a second factor before anything else opens."""
    return second_factor_required(user) and not has_second_factor(user)


def has_second_factor(user) -> bool:
    known = getattr(user, "has_second_factor", None)  # read with the signed-in person
    if known is not None:
        return known
    return _second_factors().filter(user=user).exists()


class PersonBackend(ModelBackend):
    """Django's sign-in by username and password. The signed-in person is read on each request
    in one query with what every page asks of them: whether they have a second factor (the
    middleware below), their agency (the page's header) and whether they sit on a sub-group (the
    navigation, ``sscb.access.sits_on_a_subgroup``): one query, not four (benchmarks/changes.md)."""

    def get_user(self, user_id):
        try:
            key = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _person.read(key)
        return user if user is not None and self.user_can_authenticate(user) else None


def _people():
    return (
        get_user_model()
        ._default_manager.select_related("agency")
        .annotate(
            has_second_factor=Exists(_second_factors().filter(user=OuterRef("pk"))),
            sits_on_a_subgroup=sits_on_a_subgroup_sql(OuterRef("pk")),
        )
        .order_by()
    )


# A key no person has: where the compiled query takes the signed-in person's.
_ANY_KEY = -(2**62) - 1


class _PersonQuery(threading.local):
    """``_people()`` for one key, built and compiled once in each thread (a compiler holds its
    thread's connection), then run with each request's key. Built and compiled afresh on every
    request, it was half of the 0.9 ms that reading the person took (benchmarks/changes.md).
    Rows become a person, their agency and the answers as Django's ``ModelIterable`` makes
    them."""

    compiled = None

    def read(self, key):
        connection = connections[router.db_for_read(get_user_model())]
        if self.compiled is None or self.compiled["compiler"].connection is not connection:
            self.compiled = self._compile(connection)
        compiled = self.compiled
        params = list(compiled["params"])
        params[compiled["key_at"]] = key
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        if not rows:
            return None
        row = next(compiled["compiler"].results_iter(results=[rows]))
        start, end = compiled["fields"]
        person = compiled["model"].from_db(connection.alias, compiled["names"], row[start:end])
        for populator in compiled["related"]:
            populator.populate(row, person)
        for name, position in compiled["annotations"].items():
            setattr(person, name, row[position])
        return person

    @staticmethod
    def _compile(connection) -> dict:
        compiler = _people().filter(pk=_ANY_KEY).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return {
            "compiler": compiler,
            "sql": sql,
            "params": params,
            "key_at": params.index(_ANY_KEY),
            "model": klass_info["model"],
            "fields": (start, end),
            "names": [column[0].target.attname for column in select[start:end]],
            "related": get_related_populators(klass_info, select, connection.alias),
            "annotations": compiler.annotation_col_map,
        }


_person = _PersonQuery()


class SecondFactorRequiredMiddleware:
    """Sends a signed-in person whose role needs a second factor, and who has none, to set one up.

    Signing in and out, confirming the password, the second-factor pages themselves and static
    files stay reachable; everything else, the Django admin included, waits until it is done.
    """

    exempt_url_names = ["account_login", "account_logout", "account_reauthenticate", "mfa_index"]

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_prefixes = None

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(self._exempt_prefixes())
            and setting_up_second_factor(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _exempt_prefixes(self) -> tuple[str, ...]:
        if self.exempt_prefixes is None:  # URLs resolve only once the URLconf has loaded
            names = [reverse(name) for name in self.exempt_url_names]
            self.exempt_prefixes = (*names, settings.STATIC_URL)
        return self.exempt_prefixes


def record_sign_in(sender, user, **kwargs) -> None:
    """Django's ``update_last_login``, without a version in the person's history: a sign-in
    changes nothing its history shows (it keeps no ``last_login``), and each one added an
    empty entry that buried the role changes, deactivations and resets among them. The last
    sign-in stays on the person's page and the list of people."""
    user.last_login = timezone.now()
    user.save_without_historical_record(update_fields=["last_login"])


# The Business Unit's resets (admin actions on User). Each is kept in the person's history.


def user_reset_second_factor(*, user, reason: str) -> int:
    """Deletes the person's authenticator app, passkeys and recovery codes; returns how many."""
    with transaction.atomic():
        deleted, _ = Authenticator.objects.filter(user=user).delete()
        _save_with_reason(type(user).objects.get(pk=user.pk), reason)
    return deleted


class ForcedReset(enum.Enum):
    """What ``user_force_password_reset`` did; the value ends the history's change reason."""

    NO_ADDRESS = "not reset: no email address"
    EMAILED = "reset link emailed"
    NOT_EMAILED = "the email with the reset link could not be sent"

    def said(self, reason: str) -> str:
        """``reason`` with what was done: the person's history and the admin's log say this."""
        return f"{reason}; {self.value}"


def user_force_password_reset(*, user, reason: str) -> ForcedReset:
    """Makes the password unusable (which ends every session) and emails a reset link. The
    history says whether the link was emailed: if the mail server fails, the password still
    stops working (it may be known to someone else), and the history says no link went.

    Changes nothing, returning NO_ADDRESS, when the person has no email address to send it to.
    """
    if not user.email:
        return ForcedReset.NO_ADDRESS
    with transaction.atomic():
        user = type(user).objects.get(pk=user.pk)
        user.set_unusable_password()
        # The link is made for the new (unusable) password, so it is sent before the save
        # that records whether it went.
        outcome = _email_reset_link(user)
        _save_with_reason(user, outcome.said(reason))
    return outcome


def reset_password_url(uidb36: str, token: str) -> str:
    """The link that sets a new password, at the site's own address (SITE_URL): the one link of
    both reset emails, "Forgotten your password?" and the Business Unit's forced reset."""
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": token})
    return f"{settings.SITE_URL}{path}"


def _email_reset_link(user) -> ForcedReset:
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "password_reset_url": reset_password_url(user_pk_to_url_str(user), token),
        **_reset_email_context(),
    }
    subject = render_to_string("account/email/password_reset_forced_subject.txt", context)
    message = render_to_string("account/email/password_reset_forced_message.txt", context)
    try:
        send_mail(" ".join(subject.split()), message, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # noqa: BLE001 - whatever stopped it, the email did not go
        logger.exception("The forced password reset email to user %s could not be sent", user.pk)
        return ForcedReset.NOT_EMAILED
    return ForcedReset.EMAILED


def _reset_email_context() -> dict:
    """What both password reset emails say of who sends them and how long their link works
    (Django's PASSWORD_RESET_TIMEOUT, which allauth's reset by link follows)."""
    return {
        "board_name": settings.BOARD_NAME,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }


def _save_with_reason(user, reason: str) -> None:
    """Saves the person with a history row saying what was done (the password is never copied)."""
    user._change_reason = reason
    user.save()
