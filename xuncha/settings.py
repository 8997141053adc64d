"""Settings for xuncha, driven by environment variables (see README's table).

With nothing set the project runs on SQLite under ``var/``, with a Celery
broker on the local file system, so ``make run`` needs no server. Production
(``XUNCHA_ENV=production``) names its database, broker and secret key and
refuses to start with the development key.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from import_export.formats.base_formats import XLSX

from xuncha.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
XUNCHA_ENV = env_choice("XUNCHA_ENV", "development", ("development", "production", "test", "field"))
PRODUCTION = XUNCHA_ENV == "production"
# The field edition (单机系统): the same code on a team's standalone laptop, on
# its own SQLite database, with no worker, no network and only the team's
# pages (fieldwork/middleware.py). See README "单机系统".
FIELD_MODE = XUNCHA_ENV == "field"
DATA_DIR = Path(
    env_str("XUNCHA_DATA_DIR", str(BASE_DIR / "var" / "field" if FIELD_MODE else BASE_DIR / "var"))
)
# Parallel test processes (pytest-xdist sets PYTEST_XDIST_WORKER) each get a data
# folder of their own, so one's file broker, results and uploads are not another's;
# a worker subprocess started by a test inherits the variable and finds the same folder.
if XUNCHA_ENV == "test" and "XUNCHA_DATA_DIR" not in os.environ:
    DATA_DIR = DATA_DIR / f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=XUNCHA_ENV == "development")

DEVELOPMENT_SECRET_KEY = "dev-only-xuncha-secret-key-never-use-in-production-0c3f9a7e51d2b8"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if FIELD_MODE and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    # A laptop's sessions (and its audit key, derived below) are signed with a key
    # of its own, made on first start and removed with everything else by 清理.
    _field_secret = DATA_DIR / "secret-key"
    if not _field_secret.exists():
        import secrets as _secrets

        _field_secret.write_text(_secrets.token_urlsafe(50))
        _field_secret.chmod(0o600)
    SECRET_KEY = _field_secret.read_text().strip()
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "xuncha.core",
    "xuncha.accounts",
    "xuncha.orgs",
    "xuncha.audit",
    "xuncha.notifications",
    "xuncha.reports",
    "xuncha.imports",
    "xuncha.ops",
    "xuncha.twofactor",
    "rounds",
    "clues",
    "rectification",
    "checklist",
    "evaluation",
    "archive",
    "crosscheck",
    "fieldwork",
    "intake",
    # The top layer: home, navigation and dashboard; it may import all of the above.
    "portal",
]
# The demo city (manage.py seed_demo) and the bench (manage.py bench, which
# writes city-scale data to the configured database) are development and test
# code only: a production deployment has neither command.
if not PRODUCTION and not FIELD_MODE:
    INSTALLED_APPS += ["demo", "bench"]

MIDDLEWARE = [
    *(
        ["xuncha.ops.middleware.ServerTimingMiddleware"]
        if env_bool("SERVER_TIMING", default=False)
        else []
    ),
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xuncha.accounts.sessions.IdleTouchMiddleware",
    "xuncha.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # request.user.otp_device, then: no page but the sign-in steps until it is set.
    # django-otp's OTPMiddleware, the verifying device known from the cache.
    "xuncha.twofactor.device_cache.CachedOTPMiddleware",
    "xuncha.twofactor.middleware.SecondFactorRequiredMiddleware",
    # After the second factor: a temporary or expired password is changed first.
    "xuncha.accounts.middleware.PasswordChangeRequiredMiddleware",
    # The field edition answers only the team's pages (a no-op on the platform).
    *(["fieldwork.middleware.FieldModeMiddleware"] if FIELD_MODE else []),
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After authentication: an authenticated person's pages are never cached.
    "xuncha.core.middleware.NoStoreMiddleware",
    "xuncha.audit.middleware.AuditContextMiddleware",
    "xuncha.ops.middleware.InfrastructureFaultMiddleware",
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
                "portal.context_processors.navigation",
                "xuncha.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Selects and plain inputs rendered in Python, byte for byte what Django's
# widget templates write (a list's filter form has a hundred options).
FORM_RENDERER = "xuncha.core.forms.LeanFormRenderer"

# --- Database -------------------------------------------------------------
# The field edition always keeps its own SQLite file, whatever the environment names.
DATABASE_URL = "" if FIELD_MODE else env_str("DATABASE_URL")
# SQLite however it is named (the default below or DATABASE_URL=sqlite:///…):
# the web process and the worker write at the same time, so take the write
# lock at BEGIN and wait for it instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASE_URL:
    # Persistent connections are checked before reuse: after a database restart
    # the first request of each web worker would otherwise meet a dead one.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    if PRODUCTION:
        raise ImproperlyConfigured("生产环境必须设置 DATABASE_URL（PostgreSQL）。")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / ("field.sqlite3" if FIELD_MODE else "xuncha.sqlite3"),
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
# Per process by default; name a Redis server (CACHE_URL or REDIS_CACHE_URL)
# to share one cache between the web processes.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_CACHE_URL")
CACHES = {
    "default": (
        {
            # Fails open: with Redis down, pages compute without the cache (xuncha/ops/cache.py).
            "BACKEND": "xuncha.ops.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xuncha"}
    )
}

# --- Accounts and security ----------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the person with their office (one query per page fewer).
    "xuncha.accounts.backends.UserWithOfficeBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Password rule of the 等保 kind: length, three of four character classes, not
# the username or the system's name, not one of the last few, and an expiry.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10, minimum=8)
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 90, minimum=0)  # 0: never expires
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5, minimum=0)  # 0: no history kept
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "xuncha.accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": 3},
    },
    {"NAME": "xuncha.accounts.passwords.NoUsernameOrSystemNameValidator"},
    {
        "NAME": "xuncha.accounts.passwords.PasswordHistoryValidator",
        "OPTIONS": {"count": PASSWORD_HISTORY},
    },
]
# Django's hashers, PBKDF2 first as before; its checks take turns machine-wide
# (accounts/hashers.py), so a rush of sign-ins is bounded. At
# most this many sign-ins wait per web process; one more is asked to retry (429).
PASSWORD_CHECKS_WAITING = env_int("PASSWORD_CHECKS_WAITING", 2, minimum=1)
# How many checks may run at once on the machine. Measured on 2 cores (make
# loadtest, 100 sign-ins in 10 s): 2 cleared the rush with sign-in p95 18.7 s
# and page p95 148 ms; 1 left people retrying for a minute and more.
PASSWORD_CHECK_SLOTS = env_int("PASSWORD_CHECK_SLOTS", 2, minimum=1)
# The sign-in queue (accounts/signin_queue.py): a refused sign-in's ticket holds
# its place until its turn plus this many seconds (the browser re-posts on
# time; a closed tab stalls the people behind it no longer than this), and is
# still honoured, ahead of newcomers, for this long after its turn.
SIGNIN_QUEUE_HOLD_SECONDS = env_int("SIGNIN_QUEUE_HOLD_SECONDS", 2, minimum=1)
SIGNIN_QUEUE_KEEP_SECONDS = env_int("SIGNIN_QUEUE_KEEP_SECONDS", 120, minimum=10)
# A ticket goes in while fewer than this many earlier tickets still hold their
# places (1: exact order; see accounts/signin_queue.py for why not 1).
SIGNIN_QUEUE_WINDOW = env_int("SIGNIN_QUEUE_WINDOW", 4, minimum=1)
PASSWORD_HASHERS = [
    "xuncha.accounts.hashers.QueuedPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle sessions expire: a signed-in session's expiry moves forward when it is
# written, which accounts.sessions.IdleTouchMiddleware does once its last
# touch is a minute old (not on every request: that was a database write per
# page). With Redis (CACHE_URL) sessions are read from it and kept in the
# database, so a Redis outage signs nobody out (accounts/sessions.py).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ENGINE = "xuncha.accounts.sessions" if CACHE_URL else "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
# Locked is an account from one client address. The address is the real
# client's (accounts/lockout.client_ip, which reads the proxy's X-Real-IP only
# under TRUST_X_REAL_IP): keyed on the proxy's address, or on the username
# alone, anyone could lock anyone out. The security officer unlocks (audited).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "xuncha.accounts.lockout.client_ip"
# Unlocking is the security officer's audited page, not an unaudited admin delete.
AXES_ENABLE_ADMIN = False
AXES_RESET_ON_SUCCESS = True
# A right password is only half a sign-in: the failures (wrong passwords and
# wrong second-factor codes) are cleared when the code is accepted, by
# xuncha.twofactor, so signing in again with the password cannot wipe them.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Days a one-time activation code (激活码) for a new account stays valid.
ACTIVATION_DAYS = env_int("ACTIVATION_DAYS", 7, minimum=1)

# Two-factor sign-in (xuncha/twofactor): the name authenticator apps show.
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "巡察工作管理系统")

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

# Content-Security-Policy (django-csp 4). Scripts come only from our own static
# files: no inline <script>, no on*= handlers, no eval (templates keep
# behaviour in static/js/ and mark it with data- attributes). Styles keep
# 'unsafe-inline' because server-rendered style="width: N%" attributes draw the
# progress bars and chart bars, htmx injects its indicator <style>, and the
# print sheet carries its own <style>; a style cannot run script. img-src
# allows data: for Bootstrap's inline SVG icons in its stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
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
# Zip-based uploads (Office files, archives) and .xlsx imports are refused from
# the zip directory alone when they would expand past these: a 63 KB sheet can
# declare 63 MB of XML, which openpyxl would hold in memory.
UPLOAD_ZIP_MAX_UNCOMPRESSED_MB = env_int("UPLOAD_ZIP_MAX_UNCOMPRESSED_MB", 200, minimum=1)
IMPORT_XLSX_MAX_UNCOMPRESSED_MB = env_int("IMPORT_XLSX_MAX_UNCOMPRESSED_MB", 50, minimum=1)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100, minimum=2)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- 码上巡察 (intake): the public reporting page and its limits ----------
# The address the posters' QR codes point to (the site as the public reaches it);
# by default the first allowed host, over HTTPS where the site is served so.
_public_host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "127.0.0.1"
PUBLIC_BASE_URL = env_str(
    "PUBLIC_BASE_URL",
    f"https://{_public_host}"
    if HTTPS
    else f"http://{_public_host}" + (":8000" if _public_host in ("127.0.0.1", "localhost") else ""),
).rstrip("/")
INTAKE_FILES_PER_REPORT = 3
INTAKE_FILE_MAX_MB = env_int("INTAKE_FILE_MAX_MB", 8, minimum=1)
# Per address and hour: reports before a CAPTCHA is asked, and reports at all.
INTAKE_CAPTCHA_AFTER = env_int("INTAKE_CAPTCHA_AFTER", 2, minimum=0)
INTAKE_PER_ADDRESS_HOUR = env_int("INTAKE_PER_ADDRESS_HOUR", 10, minimum=1)
# Per target and day, whatever the addresses (a flood spread over many).
INTAKE_PER_TARGET_DAY = env_int("INTAKE_PER_TARGET_DAY", 300, minimum=1)
# Disk: the public's attachments per target, and all of them together. Past
# either, a report with files is refused and the page asks for the text alone.
INTAKE_TARGET_QUOTA_MB = env_int("INTAKE_TARGET_QUOTA_MB", 500, minimum=1)
INTAKE_STORAGE_QUOTA_MB = env_int("INTAKE_STORAGE_QUOTA_MB", 5120, minimum=1)
# Receipt-code look-ups per address and hour (guessing codes is pointless, and slowed).
INTAKE_STATUS_PER_ADDRESS_HOUR = env_int("INTAKE_STATUS_PER_ADDRESS_HOUR", 30, minimum=1)
STORAGES = {
    # Stored whole or not at all (a full disk leaves no truncated file).
    "default": {"BACKEND": "xuncha.ops.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Background jobs that survive a dead worker (xuncha/ops) ------------
# A running job's worker renews its lease this often; a lease this old means
# the worker died, and the sweep (every JOB_SWEEP_SECONDS) sends the job to
# another worker, failing it with a reason after JOB_MAX_ATTEMPTS starts.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 5, minimum=1)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 30, minimum=JOB_HEARTBEAT_SECONDS * 3)
JOB_SWEEP_SECONDS = env_int("JOB_SWEEP_SECONDS", 15, minimum=1)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)
JOB_QUEUE_TIMEOUT_MINUTES = env_int("JOB_QUEUE_TIMEOUT_MINUTES", 30, minimum=1)

# --- Celery ---------------------------------------------------------------
# With no broker named, kombu's filesystem transport lets `celery worker -B`
# run tasks and the beat schedule on one machine with no server at all.
CELERY_BROKER_URL = "memory://" if FIELD_MODE else env_str("CELERY_BROKER_URL", "filesystem://")
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
# The field edition has no worker: tasks run in the request.
CELERY_TASK_ALWAYS_EAGER = FIELD_MODE or env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
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
    # Every writing task is safe to run twice, so the scheduled ones run again
    # through the day: a run lost with a dead worker is made up by the next.
    "rectification-reminders-catch-up": {
        "task": "rectification.tasks.send_deadline_reminders",
        "schedule": crontab(hour="9-20", minute=10),
    },
    "clue-reminders-catch-up": {
        "task": "clues.tasks.send_clue_reminders",
        "schedule": crontab(hour="9-20", minute=0),
    },
    "weekly-summaries-monday": {
        "task": "rounds.tasks.compile_weekly_summaries",
        "schedule": crontab(day_of_week="mon", hour="7-20", minute=0),
    },
    "crosscheck-purge-files": {
        "task": "crosscheck.tasks.purge_expired_files",
        "schedule": crontab(hour=3, minute=20),
    },
    # The dashboard's summary rows: changes counted within the minute (a view
    # counts them at once too), and everything counted again each night.
    "dashboard-count-changes": {
        "task": "portal.tasks.count_dashboard_changes",
        "schedule": 60.0,
    },
    "dashboard-rebuild-nightly": {
        "task": "portal.tasks.rebuild_dashboard",
        "schedule": crontab(hour=0, minute=5),
    },
    "sweep-stale-jobs": {
        "task": "xuncha.ops.tasks.sweep_stale_jobs",
        "schedule": JOB_SWEEP_SECONDS,
    },
    "audit-verify-nightly": {
        "task": "xuncha.audit.tasks.verify_chain",
        "schedule": crontab(hour=2, minute=30),
    },
    # Anchors the audit chain's head outside the database (idempotent: skips
    # when the head has not moved since the last anchor).
    "audit-anchor": {
        "task": "xuncha.audit.tasks.anchor_chain",
        "schedule": env_int("AUDIT_ANCHOR_MINUTES", 5, minimum=1) * 60.0,
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

# --- 大数据比对 (crosscheck/) ------------------------------------------------------
# Outside lists run to millions of rows: their own upload limit.
CROSSCHECK_UPLOAD_MAX_MB = env_int("CROSSCHECK_UPLOAD_MAX_MB", 512, minimum=1)
# The uploaded file is deleted this many days after upload (its rows stay, the
# ID numbers in them masked and hashed, for matching and review).
CROSSCHECK_FILE_RETENTION_DAYS = env_int("CROSSCHECK_FILE_RETENTION_DAYS", 30, minimum=1)
# The key of the HMAC under which ID-card numbers are kept for matching (the
# numbers themselves are not stored). Production requires it; changing it
# means reading the lists again. Development and test derive it from SECRET_KEY.
CROSSCHECK_ID_KEY = env_str("CROSSCHECK_ID_KEY")
if PRODUCTION and len(CROSSCHECK_ID_KEY) < 32:
    raise ImproperlyConfigured("生产环境必须设置 CROSSCHECK_ID_KEY（不少于 32 个字符）。")
if not CROSSCHECK_ID_KEY:
    import hashlib as _hashlib

    CROSSCHECK_ID_KEY = _hashlib.sha256(
        f"xuncha.crosscheck.id-key:{SECRET_KEY}".encode()
    ).hexdigest()

# --- Audit log (see xuncha/audit/models.py and README "Security / audit log") --
# The key of the audit chain's HMAC. It must not live in the database: whoever
# can write the audit table must not also be able to recompute the chain.
# Production requires it. In development and test it is derived from
# SECRET_KEY with a salt of its own (so it differs from every other use of
# SECRET_KEY): there the secret is public anyway and a derived key cannot be
# lost, which a generated key file beside a throw-away database could.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
if PRODUCTION and len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured(
        "生产环境必须设置 AUDIT_HMAC_KEY（不少于 32 个字符），且不能保存在数据库中。"
    )
if not AUDIT_HMAC_KEY:
    import hashlib as _hashlib

    AUDIT_HMAC_KEY = _hashlib.sha256(f"xuncha.audit.chain-key:{SECRET_KEY}".encode()).hexdigest()

# The append-only sink where the chain's head is anchored every few minutes
# (see xuncha/audit/anchors.py); empty turns anchoring off (the test settings
# do, as each test starts afresh). Production must put it on storage the
# database's writer cannot rewrite, so the data-directory default is refused.
_DEFAULT_ANCHOR_FILE = DATA_DIR / "audit-anchors.log"
AUDIT_ANCHOR_FILE = env_str(
    "AUDIT_ANCHOR_FILE", "" if XUNCHA_ENV == "test" else str(_DEFAULT_ANCHOR_FILE)
)
if PRODUCTION and (
    not AUDIT_ANCHOR_FILE or Path(AUDIT_ANCHOR_FILE).resolve().is_relative_to(DATA_DIR.resolve())
):
    raise ImproperlyConfigured(
        "生产环境必须把 AUDIT_ANCHOR_FILE 设在数据目录之外、数据库写入者无法改写的存储上。"
    )
# Optionally every anchor also goes to syslog: "/dev/log" or "host:514".
AUDIT_ANCHOR_SYSLOG = env_str("AUDIT_ANCHOR_SYSLOG")

# --- Field edition (单机系统, fieldwork/) ------------------------------------
# The office's Ed25519 key that signs the packages going out to the laptops
# (manage.py field_keygen makes it, and a .pub beside it for the laptops).
# Like the audit key, it must not sit in the data folder with the database.
FIELD_SIGNING_KEY_FILE = Path(
    env_str("FIELD_SIGNING_KEY_FILE", str(DATA_DIR.parent / "keys" / "field-signing-key.pem"))
)
if PRODUCTION and FIELD_SIGNING_KEY_FILE.resolve().is_relative_to(DATA_DIR.resolve()):
    raise ImproperlyConfigured("生产环境必须把 FIELD_SIGNING_KEY_FILE 设在数据目录之外。")

# --- Demo data ------------------------------------------------------------
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "Xuncha-demo-2026")
# Base32 authenticator secret seed_demo gives every demo account; published in
# the README so a demo can be signed into from a phone. Never used in production.
DEMO_OTP_SECRET = env_str("DEMO_OTP_SECRET", "XUNCHADEMOTOTPSECRETFORDEMOONLY2")

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
