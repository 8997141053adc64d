"""Settings for xuncha, driven by environment variables (see README's table).

With nothing set the project runs on SQLite under ``var/``, with a Celery
broker on the local file system, so ``make run`` needs no server. Production
(``XUNCHA_ENV=production``) names its database, broker and secret key and
refuses to start with the development key.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from import_export.formats.base_formats import XLSX

from xuncha.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
XUNCHA_ENV = env_choice("XUNCHA_ENV", "development", ("development", "production", "test"))
PRODUCTION = XUNCHA_ENV == "production"
DATA_DIR = Path(env_str("XUNCHA_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=XUNCHA_ENV == "development")

DEVELOPMENT_SECRET_KEY = "dev-only-xuncha-secret-key-never-use-in-production-0c3f9a7e51d2b8"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "生产环境必须设置 SECRET_KEY：不少于 50 个字符，且不能使用开发用密钥。"
    )
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("生产环境不能开启 DEBUG。")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("生产环境必须设置 ALLOWED_HOSTS（逗号分隔的域名）。")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "xuncha.core.apps.XunchaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "import_export",
    "django_filters",
    "django_htmx",
    "xuncha.core",
    "xuncha.accounts",
    "xuncha.orgs",
    "xuncha.audit",
    "xuncha.notifications",
    "xuncha.reports",
    "xuncha.imports",
    "xuncha.dashboard",
    "rounds",
    "clues",
    "rectification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xuncha.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xuncha.audit.middleware.AuditContextMiddleware",
    # Axes wants to be last so it sees every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xuncha.urls"
WSGI_APPLICATION = "xuncha.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xuncha.core.context_processors.navigation",
                "xuncha.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    if PRODUCTION:
        raise ImproperlyConfigured("生产环境必须设置 DATABASE_URL（PostgreSQL）。")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "xuncha.sqlite3",
            "OPTIONS": {
                # The dev server and the embedded worker write at the same time:
                # take the write lock at BEGIN and wait for it instead of failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
# Per process by default; name a Redis server (CACHE_URL or REDIS_CACHE_URL)
# to share one cache between the web processes.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xuncha"}
    )
}

# --- Accounts and security ----------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle sessions expire: the cookie's age restarts with every request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# django-guardian: no anonymous user row; nobody outside sees anything.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

HTTPS = env_bool("XUNCHA_HTTPS", default=PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# The audit log records the X-Real-IP the reverse proxy sets; only trust it behind one.
TRUST_X_REAL_IP = env_bool("TRUST_X_REAL_IP", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Outside production, serve straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Uploaded files are confidential: they live outside the web root and are
# only ever served by permission-checked views (there is no MEDIA_URL route).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/files-are-not-served-directly/"
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 50, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Celery ---------------------------------------------------------------
# With no broker named, kombu's filesystem transport lets `celery worker -B`
# run tasks and the beat schedule on one machine with no server at all.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if PRODUCTION and CELERY_BROKER_URL.startswith("filesystem"):
    raise ImproperlyConfigured("生产环境必须设置 CELERY_BROKER_URL（Redis）。")
CELERY_QUEUE_DIR = DATA_DIR / "celery" / "queue"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(DATA_DIR / "celery" / "processed"),
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith("redis")
    else f"file://{DATA_DIR / 'celery' / 'results'}",
)
# Neither the filesystem transport nor the file result backend creates its folders.
for _folder in ("queue", "processed", "control", "results"):
    (DATA_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 900, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# A task whose worker died is delivered again: every task is written to be
# safe to run twice (see STYLE.md, "Background work").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ANNOTATIONS = {"*": {"max_retries": 3, "default_retry_delay": 60}}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "expire-report-files": {
        "task": "xuncha.reports.tasks.expire_reports",
        "schedule": crontab(hour=3, minute=0),
    },
    "rectification-reminders-daily": {
        "task": "rectification.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=10),
    },
    "clue-reminders-daily": {
        "task": "clues.tasks.send_clue_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "weekly-summaries-monday": {
        "task": "rounds.tasks.compile_weekly_summaries",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
    "audit-verify-nightly": {
        "task": "xuncha.audit.tasks.verify_chain",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- E-mail (optional: notifications are in-app first) ------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xuncha@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
NOTIFY_BY_EMAIL = bool(EMAIL_HOST)

# --- Import / export -----------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # our own audit log records imports
# django-import-export wants the format classes themselves, not dotted paths.
IMPORT_EXPORT_FORMATS = [XLSX]
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- Domain rules ---------------------------------------------------------
# The inspected organization reports its rectification within two months of feedback.
RECTIFICATION_REPORT_MONTHS = env_int("RECTIFICATION_REPORT_MONTHS", 2, minimum=1)
# Deadline colours: green from this many days before, yellow from this many, red when overdue.
RECTIFICATION_GREEN_DAYS = env_int("RECTIFICATION_GREEN_DAYS", 20, minimum=1)
RECTIFICATION_YELLOW_DAYS = env_int("RECTIFICATION_YELLOW_DAYS", 10, minimum=0)
if RECTIFICATION_YELLOW_DAYS >= RECTIFICATION_GREEN_DAYS:
    raise ImproperlyConfigured("RECTIFICATION_YELLOW_DAYS 必须小于 RECTIFICATION_GREEN_DAYS。")
# The receiving department reports what it did with a clue within this many days.
CLUE_DISPOSITION_DAYS = env_int("CLUE_DISPOSITION_DAYS", 30, minimum=1)
# 直报快车道: an urgent clue is reported on sooner.
CLUE_URGENT_DISPOSITION_DAYS = env_int("CLUE_URGENT_DISPOSITION_DAYS", 15, minimum=1)
if CLUE_URGENT_DISPOSITION_DAYS > CLUE_DISPOSITION_DAYS:
    raise ImproperlyConfigured("CLUE_URGENT_DISPOSITION_DAYS 不能大于 CLUE_DISPOSITION_DAYS。")
# Reminders: this many days before the deadline, and this many days after it (escalated).
CLUE_DUE_SOON_DAYS = env_int("CLUE_DUE_SOON_DAYS", 5, minimum=0)
CLUE_ESCALATE_AFTER_DAYS = env_int("CLUE_ESCALATE_AFTER_DAYS", 15, minimum=1)

# Generated report files are deleted after this many days (the job row stays).
REPORT_RETENTION_DAYS = env_int("REPORT_RETENTION_DAYS", 7, minimum=1)

# Where audit_verify records the chain's head (see xuncha/audit/anchors.py);
# empty turns anchoring off (the test settings do, as each test starts afresh).
AUDIT_ANCHOR_FILE = env_str(
    "AUDIT_ANCHOR_FILE", "" if XUNCHA_ENV == "test" else str(DATA_DIR / "audit-anchors.log")
)

# --- Demo data ------------------------------------------------------------
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "Xuncha-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if XUNCHA_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
