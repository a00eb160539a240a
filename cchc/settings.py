"""Settings of the CCHC project, read from environment variables.

Every variable goes through the typed helpers of ``cchc.env``, which refuse bad values.
SQLite under ``var/`` by default; PostgreSQL (or any database) through ``DATABASE_URL``.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from cchc.env import EnvironmentError_, env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("CCHC_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise EnvironmentError_("SECRET_KEY must be set to a secret value when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise EnvironmentError_("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "cchc.admin_apps.CchcAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "import_export",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "cchc",
    "scoring",
    "dossiers",
    "surveys",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "cchc.conflicts.SimultaneousSaveMiddleware",
]

ROOT_URLCONF = "cchc.urls"
# Form widgets render through the project's templates too (the unit search box is one);
# the plain ones are written in Python, as their templates write them (cchc/form_renderer.py).
FORM_RENDERER = "cchc.form_renderer.WidgetRenderer"
WSGI_APPLICATION = "cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cchc.context_processors.navigation",
            ],
        },
    },
    {
        # The pages' hottest partials (cchc/jinja.py), included with {% jinja "name" %}.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "cchc.jinja.environment"},
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'cchc.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as error:  # unknown scheme and the like
    raise EnvironmentError_(f"DATABASE_URL is not a database address: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with the writers of all threads and processes waiting in line for
    # the write lock instead of SQLite's sleeps (cchc/sqlite_backend/base.py).
    DATABASES["default"]["ENGINE"] = "cchc.sqlite_backend"
    # Connections are kept for a minute, as for PostgreSQL: opening one (with its pragmas)
    # costs about 1.3 ms, a tenth of a page.
    # Two people saving at once wait for each other instead of failing: a transaction takes
    # the write lock when it begins (never upgrading a read lock, which SQLite refuses at
    # once with "database is locked"), waits up to 20 s for it, and readers never wait for
    # writers (write-ahead log).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env_int("SQLITE_BUSY_SECONDS", 20, minimum=1),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cchc.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in after repeated failures
    "cchc.backends.UserBackend",  # Django's ModelBackend; the user of a request read faster
]
# Sign-in throttling: after AXES_FAILURE_LIMIT wrong passwords for a username from one
# address, that pair is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
BEHIND_PROXY = env_bool("BEHIND_PROXY", not DEBUG)
if BEHIND_PROXY:
    # Several app servers behind a load balancer: the client's address is the first one it forwards.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["cchc.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Evidence is kept outside the web root and only served through views that check scope.
MEDIA_ROOT = env_path("EVIDENCE_ROOT", VAR_DIR / "evidence")
MEDIA_URL = "/evidence-files-are-served-through-views/"
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20, minimum=1) * 1024 * 1024
# Evidence on the local disk by default; in shared S3-compatible object storage when
# EVIDENCE_S3_BUCKET is set (credentials from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
EVIDENCE_S3_BUCKET = env_str("EVIDENCE_S3_BUCKET", "")
_evidence_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if EVIDENCE_S3_BUCKET:
    _evidence_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": env_str("EVIDENCE_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("EVIDENCE_S3_REGION", "") or None,
            "location": env_str("EVIDENCE_S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": _evidence_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Shared by every app server: sessions and the cache live in the database.
# Django's default of 300 entries would drop sessions and kept pages all through a deadline
# week (each user's session is an entry, each kept page another); past the limit, a third of
# the entries is dropped at once.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cchc_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 50_000)},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Long work (decision PDFs, large imports, exports) runs as tasks: on one machine in a
# background thread of the app server (`thread`); with several app servers, queued in the
# database and run by `manage.py db_worker` processes (`database`); `immediate` runs a task
# inside the request that starts it (the tests).
_TASK_BACKENDS = {
    "thread": "cchc.task_backends.ThreadBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_task_backend = env_str("TASKS_BACKEND", "thread")
if _task_backend not in _TASK_BACKENDS:
    raise EnvironmentError_(
        f"TASKS_BACKEND={_task_backend!r} must be one of {sorted(_TASK_BACKENDS)}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# Imports up to a whole country's communes at once.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# What an uploaded spreadsheet may be (cchc.spreadsheets.ReadLimits): checked before it is
# opened, and while it is read.
IMPORT_LIMITS = {
    "max_bytes": env_int("IMPORT_MAX_MB", 20, minimum=1) * 1024 * 1024,
    "max_rows": env_int("IMPORT_MAX_ROWS", 100_000, minimum=1),
    "max_uncompressed": env_int("IMPORT_MAX_UNCOMPRESSED_MB", 100, minimum=1) * 1024 * 1024,
    "max_ratio": env_int("IMPORT_MAX_RATIO", 100, minimum=2),
    "max_entries": env_int("IMPORT_MAX_ENTRIES", 500, minimum=10),
    # Reading a file in a request stops after this long: no upload holds a worker.
    "max_seconds": env_int("IMPORT_MAX_SECONDS", 20, minimum=1),
}
# An uploaded figures file bigger than this is imported in the background, not in the request.
IMPORT_BACKGROUND_FROM_BYTES = env_int("IMPORT_BACKGROUND_FROM_MB", 2, minimum=1) * 1024 * 1024
IMPORT_LIMITS_BY_KIND = {
    # A file imported in the background may take longer to read.
    "background": {"max_seconds": env_int("IMPORT_BACKGROUND_MAX_SECONDS", 900, minimum=1)},
    # One row per dossier (a province's year: a million rows), always in the background.
    "dossier_records": {
        "max_bytes": env_int("RECORDS_MAX_MB", 300, minimum=1) * 1024 * 1024,
        "max_rows": env_int("RECORDS_MAX_ROWS", 2_000_000, minimum=1),
        "max_uncompressed": env_int("RECORDS_MAX_UNCOMPRESSED_MB", 3000, minimum=1) * 1024 * 1024,
        "max_seconds": env_int("RECORDS_MAX_SECONDS", 1800, minimum=1),
    },
}
# The largest upload any form takes; a request sending a bigger file is stopped while it
# arrives (cchc.uploads), before it is stored.
UPLOAD_MAX_BYTES = max(
    EVIDENCE_MAX_BYTES,
    IMPORT_LIMITS["max_bytes"],
    *(kind.get("max_bytes", 0) for kind in IMPORT_LIMITS_BY_KIND.values()),
)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",  # small files, in memory
    "cchc.uploads.LimitedTemporaryFileUploadHandler",
]

# The public survey form: answers counted per network address per hour and per device per
# day (over the limit, refused); a second answer from one device within `review_minutes` is
# set aside for review. The public address printed on posters starts with PUBLIC_URL.
SURVEY_LIMITS = {
    "per_network_hour": env_int("SURVEY_MAX_PER_NETWORK_HOUR", 60, minimum=1),
    "per_device_day": env_int("SURVEY_MAX_PER_DEVICE_DAY", 5, minimum=1),
    "review_minutes": env_int("SURVEY_REVIEW_MINUTES", 10, minimum=0),
}
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# How often an open page asks for the unread count of its bell.
BELL_SECONDS = env_int("BELL_SECONDS", 30, minimum=1)

# E-mail: through the SMTP server EMAIL_HOST names; without one, printed to the console.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST) and EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chỉ số CCHC <khong-tra-loi@localhost>")
# The local hour from which the daily digests go out.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7, minimum=0)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Only `make serve` (plain http on 127.0.0.1) turns these off.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
# Content Security Policy: scripts only from this site; inline styles for the score bars.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCHC index API",
    "DESCRIPTION": "Read-only access to units, criteria sets, rankings and dossier statistics, "
    "within the units of the signed-in user.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Chatty libraries: their steps and routine sign-ins are not news.
    "loggers": {
        name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes.watch_login")
    },
}
