"""Settings for the Learning and Improvement tracker, read from environment variables.

Every variable is listed in README.md ("Configuration"). With nothing set and DEBUG=1 the app
runs on SQLite with the console email backend; production sets DEBUG=0 and the rest.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# pytest sets PYTEST_VERSION for the duration of a run: tests get fast hashing, plain static
# files and no HTTPS redirect (the live server speaks plain HTTP).
TESTING = "PYTEST_VERSION" in os.environ
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY (a long random string) when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Our own apps, in dependency order: learning builds on reviews and audits.
PROJECT_APPS = [
    "sscb",
    "reviews",
    "audits",
    "audits.performance",
    "learning",
    "learning.meetings",
    "learning.briefings",
    "learning.scrutiny",
    "learning.training",
]

INSTALLED_APPS = [
    "sscb.apps.BusinessUnitAdminConfig",  # django.contrib.admin, opened by the Business Unit
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A page is read (GET, HEAD) or sent (POST): any other method is refused with 405.
    "sscb.errors.methods_allowed",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Moves an idle session's expiry forward at most once a minute (not a write per request).
    "sscb.sessions.SessionIdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A successful post may have changed figures the dashboard keeps (sscb/figures_cache.py).
    "sscb.figures_cache.BumpOnWriteMiddleware",
    # A save that meets a busy database gets a plain explanation, not a 500.
    "sscb.errors.DatabaseBusyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth's: a signed-in person whose role needs a second factor sets one up first.
    "sscb.signin.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with its one policy built once.
    "sscb.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sscb.urls"
WSGI_APPLICATION = "sscb.wsgi.application"

# Selects, options and plain inputs written in Python, the same HTML as Django's templates.
FORM_RENDERER = "sscb.renderers.FastWidgetRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The dashboard is a package inside learning, not an app: its templates are named here.
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "learning" / "dashboard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} and |date as Django's, without repeating work for each row (issue 15).
            "builtins": ["sscb.templatetags.faster"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sscb.context_processors.layout",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles "expensive" plans first; for the dashboard's aggregates that
    # cost 150 ms a request and saved nothing (benchmarks/results.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold several people saving at once: write-ahead logging lets
    # readers and a writer work together, a write transaction takes its lock when it begins
    # (not half-way, where SQLite can only fail), and a busy writer is waited for, not refused.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "sscb.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading whether the person has a second factor with them.
    "sscb.signin.PersonBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions end: the expiry moves forward as people use the site. Saving the session on
# every request would do that with a database write per page view; sscb.sessions saves it only
# when SESSION_TOUCH_SECONDS have passed since its last save (benchmarks/results.md).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in is django-allauth's (username and password, then a second factor); there is no
# public sign-up: the Business Unit creates accounts in the Django admin.
ACCOUNT_ADAPTER = "sscb.signin.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are entered by the Business Unit
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the browser, as before
ACCOUNT_PREVENT_ENUMERATION = True  # "reset sent" whether or not the address has an account
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # and nothing is mailed to an address with none
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Reset links stop working after this long (and once used, or once the password changes).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 24) * 60 * 60
# allauth's own failed-sign-in limit counts per username too, which would let anyone lock a
# named person out; django-axes and the account throttle below do that job instead, so allauth
# keeps only a per-address brake on requests.
# A wrong second-factor code is another matter: the password was right, so the limit is per
# account, from any address (sscb.signin.AuthenticateForm), and it locks out only whoever holds
# the password.
ACCOUNT_RATE_LIMITS = {
    "login": "60/m/ip",
    "login_failed": "30/m/ip",
    "second_factor_failed": "5/300s/key",
}

# Second factor: an authenticator app (TOTP) with recovery codes, or a passkey / security key.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_FORMS = {"authenticate": "sscb.signin.AuthenticateForm"}
MFA_ALLOW_UNVERIFIED_EMAIL = True  # no public sign-up, so no squatting on someone's address
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # passkeys on http://127.0.0.1 in development
# Roles (sscb.models.User.Role values, or "all") that must have a second factor: every role in
# production, none in development and tests, unless MFA_REQUIRED_ROLES says otherwise.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "" if DEBUG or TESTING else "all")

# Wrong passwords lock the (username, address) pair, never a whole address (a council's NAT)
# or a whole account (anyone could lock a named person out): five, for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "sscb.signin.axes_username"
AXES_CLIENT_IP_CALLABLE = "sscb.client_ip.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: the account throttle counts them
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Reverse proxies in front of the app whose X-Forwarded-For is believed (0: REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Password spraying against one account from many addresses: after this many failures for a
# username (all addresses, within the cool-off time) only browsers that have signed in as that
# person before (a signed "device cookie") may try it (OWASP's device-cookie pattern).
LOGIN_ACCOUNT_THROTTLE = env_int("LOGIN_ACCOUNT_THROTTLE", 20)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# Django's own validation messages in plain words ("Keep this to 200 characters or fewer"): an
# en_GB catalogue, found before Django's, that must stay in step with LANGUAGE_CODE (README).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]


def s3_storage(environ):
    """Uploaded files in a private bucket of S3 or an S3-compatible service (MinIO, Ceph...).

    Objects get no ACL of their own (so the bucket's private default holds) and any URL made for
    one is signed and short-lived; people download through our view, which checks access."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            # "path" for a server reached by a name that has no bucket subdomains (MinIO, say).
            "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            # Unset: boto3 finds credentials itself (an instance role, say).
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }


# Where uploaded files go: "local" (a folder, MEDIA_ROOT) or "s3" (a bucket, so that several
# application servers share them).
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local").strip().lower()
if STORAGE_BACKEND not in {"local", "s3"}:
    raise ImproperlyConfigured("STORAGE_BACKEND is 'local' or 's3'.")
STORAGES = {
    "default": (
        s3_storage(os.environ)
        if STORAGE_BACKEND == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not (DEBUG or TESTING))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded evidence is private: it lives outside STATIC_ROOT and is served only through views
# that check who may see it. In production it belongs outside the checkout (check sscb.W002).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads: the largest file accepted (sscb/uploads.py refuses bigger ones before storing them).
# Django keeps an upload of up to 2.5 MB in memory and spools a larger one to a temporary file;
# form fields other than files may take 2.5 MB in all. Cap the request body in the proxy too
# (nginx: client_max_body_size a little above UPLOAD_MAX_MB).
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Every list filter's empty choice reads "All" (sscb/filters.py has the yes-or-no one).
FILTERS_EMPTY_CHOICE_LABEL = "All"

# No inline script, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# HTTPS hardening: on whenever DEBUG is off, except under the test live server.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# A relay that never answers must not hold a page or the daily sweep: the send fails instead.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Digests name reviews: in production mail goes over TLS unless configured otherwise
# (check sscb.W001 warns when it would go in clear).
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not DEBUG and not EMAIL_USE_SSL)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Safeguarding Partnership Business Unit <noreply@localhost>"
)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
# Django's cache holds allauth's sign-in rate limits and its record of second-factor codes
# already used (so a code cannot be replayed). With REDIS_URL set, every web server and worker
# shares it in Redis: two gunicorn instances count and refuse together. Without it (the demo,
# tests) each process keeps its own in memory.
CACHES = {
    "default": (
        # Django's, keeping a Redis client for each connection pool (sscb/redis_cache.py).
        {"BACKEND": "sscb.redis_cache.RedisCache", "LOCATION": REDIS_URL}
        if os.environ.get("REDIS_URL") and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SHARED_CACHE = CACHES["default"]["BACKEND"].endswith("RedisCache")
# With Redis, a signed-in request reads its session from the shared cache instead of PostgreSQL
# (a query less on every page); every save still goes to the database too, so a Redis restart
# signs nobody out. Each process's own memory is never used for sessions: a sign-out on one
# gunicorn worker would not reach the others.
if SHARED_CACHE:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The dashboard's and annual report's figures, rendered, are kept in the cache for readers of the
# same year and sub-groups until a record changes (sscb/figures_cache.py), and at most this long
# whatever happens; 0 turns the keeping off. Only in a shared cache by default: one process's
# memory cannot hear that another process changed a record. (Tests run in one process each.)
FIGURES_CACHE_SECONDS = env_int("FIGURES_CACHE_SECONDS", 600 if SHARED_CACHE or TESTING else 0)
# The dashboard's and annual report's figures for a scope (the same for every reader) may be this
# old while records change: counted again at most this often however many people are saving, and
# always afresh for a person who has just changed something (sscb/figures_cache.py). 0: counted
# again after every change. Off in tests, whose figures must follow each change at once.
FIGURES_MAY_BE_OLD_SECONDS = env_int(
    "FIGURES_MAY_BE_OLD_SECONDS", 60 if SHARED_CACHE and not TESTING else 0
)
# A page part kept for its reader (a list, a record's page, a golden thread, the home page's
# attention items) may be this old after another person's new finding or progress on an action,
# changes that cannot change who may see what; any other change, the person's own, and every
# change once they reload the page, is seen at once (sscb/figures_cache.py). 0: every change is
# seen at once. Off in tests. While people save, each reader's parts are made again about this
# often: at 10 s, with 32 people reading and 4 saving, a third of the web workers' time went on
# remaking them (benchmarks/changes.md).
PAGES_MAY_BE_OLD_SECONDS = env_int(
    "PAGES_MAY_BE_OLD_SECONDS", 30 if SHARED_CACHE and not TESTING else 0
)
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 14 * 60)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "sscb")

# Reminders: how many days ahead "due soon" starts, and how many days overdue an item goes to
# the sub-group chair and then to the Business Unit.
REMINDER_DUE_SOON_DAYS = env_int("REMINDER_DUE_SOON_DAYS", 14)
REMINDER_ESCALATE_TO_CHAIR_DAYS = env_int("REMINDER_ESCALATE_TO_CHAIR_DAYS", 7)
REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = env_int("REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS", 28)
# When the sweep runs is not a setting: it is the beat schedule's "Daily reminder sweep" (07:00 UK
# time, installed by sscb/migrations/0003), which the Business Unit changes in the admin.

BOARD_NAME = os.environ.get("BOARD_NAME", "Safeguarding Children Partnership")
MFA_TOTP_ISSUER = BOARD_NAME  # the name authenticator apps show beside the code

# The access log (who opened restricted records, files and exports) is kept this long, then a
# daily task deletes older entries: two years by default.
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 730)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
