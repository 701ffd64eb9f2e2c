"""heapprivacy settings: one module, read from the environment.

Every variable is documented in README.md ("Configuration"). The defaults let a fresh checkout run
with no server (SQLite and a file-system Celery broker under var/); production differs only by
environment values. A malformed value raises ImproperlyConfigured naming the variable.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from heapprivacy.envconfig import (
    env,
    read_bool,
    read_broker_url,
    read_cache,
    read_choice,
    read_database,
    read_email,
    read_endpoint,
    read_fernet_keys,
    read_float,
    read_int,
    read_list,
    read_rate,
    read_secret,
    read_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = read_bool("DEBUG", default=False)
# Development generates its secrets once into var/ (git-ignored); production must supply them.
_dev_secret = (lambda name: VAR_DIR / name) if DEBUG else (lambda name: None)
SECRET_KEY = read_secret("SECRET_KEY", _dev_secret("secret_key"))
# Keyed hashes of personal data (pseudonymised records, "previously erased" checks): kept apart
# from the encryption keys so that one leaking does not expose the other.
PSEUDONYM_KEY = read_secret("PSEUDONYM_KEY", _dev_secret("pseudonym_key"), min_length=32)
FIELD_ENCRYPTION_KEYS = read_fernet_keys(
    "FIELD_ENCRYPTION_KEYS", _dev_secret("field_encryption_key")
)

ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = read_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "heapprivacy.accounts",
    "heapprivacy.ops",
    "heapprivacy.erasure",
    "heapprivacy.audit",
    "heapprivacy.console",
    "heapprivacy.intake",
    "heapprivacy.api",
    "heapprivacy.reports",
    "heapprivacy.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "heapprivacy.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "heapprivacy.urls"
WSGI_APPLICATION = "heapprivacy.wsgi.application"

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
                "heapprivacy.console.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": read_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'heapprivacy.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web and worker write concurrently in the demo: WAL plus a busy timeout instead of
    # "database is locked"; the test database is a file so a worker subprocess can open it.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = read_int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: it compiles for 10-200 ms whenever a plan's estimated cost passes jit_above_cost,
    # which the bulk lookups' plans do (erasure/records/lookups.py), to run them 2-8x slower than
    # without; nothing here is an analytic query that could win it back.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A file cache by default, so the demo's web and worker processes share Heap access tokens.
CACHES = {
    "default": read_cache("CACHE_URL", f"filecache://{VAR_DIR / 'cache'}"),
    # Rate limits count in the default cache, or in process memory while it is down.
    "limits": {"BACKEND": "heapprivacy.limitcache.FailoverCache", "LOCATION": "default"},
}
RATELIMIT_USE_CACHE = "limits"

# --- Auth and sessions --------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"

# Staff sign in with a password and a TOTP code. Required of every staff user unless turned off
# (development and tests run with DEBUG on, where it defaults to off); a user who has set up an
# authenticator is always asked for its code.
MFA_REQUIRED = read_bool("MFA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("MFA_ISSUER", default="heapprivacy")
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = read_int("SESSION_COOKIE_AGE", default=8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection: lock an account+IP pair after LOGIN_FAILURE_LIMIT failures, for a
# cool-off period. Never forever (axes' default), or an attacker could lock out every approver.
AXES_FAILURE_LIMIT = read_int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=read_int("LOGIN_LOCKOUT_SECONDS", default=900, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Single sign-on through the organisation's identity provider (OpenID Connect), off unless
# OIDC_RP_CLIENT_ID is set; then the provider's endpoints are required. It signs in only users an
# administrator invited, matched by verified email (accounts/oidc.py), and is then responsible
# for their second factor (accounts/mfa.py).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="").strip()
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your identity provider")
OIDC_RP_SIGN_ALGO = read_choice(
    "OIDC_RP_SIGN_ALGO", "RS256", ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
)
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # administrators invite users; roles stay managed on /users/
OIDC_TIMEOUT = (3.05, 15)  # seconds to connect, to read: the sign-in waits on each call
OIDC_CALLBACK_CLASS = "heapprivacy.accounts.views.ProviderCallbackView"
if OIDC_RP_CLIENT_ID:
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    # Plain HTTP only in development, for a provider on this machine.
    OIDC_OP_AUTHORIZATION_ENDPOINT = read_endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT", DEBUG)
    OIDC_OP_TOKEN_ENDPOINT = read_endpoint("OIDC_OP_TOKEN_ENDPOINT", DEBUG)
    OIDC_OP_USER_ENDPOINT = read_endpoint("OIDC_OP_USER_ENDPOINT", DEBUG)
    OIDC_OP_JWKS_ENDPOINT = read_endpoint("OIDC_OP_JWKS_ENDPOINT", DEBUG)
    # First: a refused sign-in through the provider has no username, so django-axes counts it
    # against the address alone; checked after axes, a few refusals would lock every user
    # behind that address out of single sign-on.
    AUTHENTICATION_BACKENDS.insert(0, "heapprivacy.accounts.oidc.StaffProviderBackend")

# --- Security (production defaults; DEBUG relaxes what needs HTTPS) ----------------------------
SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = read_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: the console is server-rendered with static assets only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (env.str("SECURE_PROXY_SSL_HEADER"), "https")

# --- Internationalisation, static files ---------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Celery (read by heapprivacy/celery.py through the CELERY_ namespace) --------------------
_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = read_broker_url("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file-system transport: one folder for both directions, so any process on this
    # host that shares var/ is both producer and consumer.
    for folder in ("queue", "control"):
        (_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers an unacknowledged message only after this many seconds; the sweeps,
    # not redelivery, guarantee progress (DESIGN.md invariant 1).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = read_int("CELERY_TASK_SOFT_TIME_LIMIT", default=120, minimum=1)
CELERY_TASK_TIME_LIMIT = read_int("CELERY_TASK_TIME_LIMIT", default=180, minimum=1)
if CELERY_TASK_SOFT_TIME_LIMIT > CELERY_TASK_TIME_LIMIT:
    # Celery refuses each task sent so (ValueError at publish): every sweep would fail, quietly.
    raise ImproperlyConfigured(
        f"CELERY_TASK_SOFT_TIME_LIMIT ({CELERY_TASK_SOFT_TIME_LIMIT}) is over "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT}): the soft limit must come first"
    )
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Seconds a CSV import task may run before it is stopped (its own limit: a million rows take
# longer than the task default). The hard limit comes a minute later.
IMPORT_TIME_LIMIT = read_int("IMPORT_TIME_LIMIT", default=3600, minimum=1)  # and auditor packs
# Uploads up to this size are checked inside the upload request (about a second per MiB here);
# larger ones by a worker, with a progress bar (intake/upload_checks.py).
PREVIEW_INLINE_BYTES = read_int("PREVIEW_INLINE_BYTES", default=2 * 2**20, minimum=0)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "heapprivacy.ops.tasks.record_heartbeat", "schedule": crontab()},
    "erasure-sweeps": {"task": "heapprivacy.erasure.tasks.run_sweeps", "schedule": crontab()},
    "import-sweep": {"task": "heapprivacy.intake.tasks.sweep_imports", "schedule": crontab()},
    "packs-sweep": {"task": "heapprivacy.reports.tasks.sweep_packs", "schedule": crontab()},
    "notifications-sweep": {
        "task": "heapprivacy.notifications.tasks.sweep_notifications",
        "schedule": crontab(),
    },
    "officer-digest": {
        "task": "heapprivacy.console.tasks.send_officer_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    "audit-anchor": {
        "task": "heapprivacy.audit.tasks.anchor_audit_head",
        "schedule": crontab(hour=0, minute=5),
    },
    "erasure-retention": {
        "task": "heapprivacy.erasure.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- Erasure pipeline policy (durations in whole seconds; README, "Configuration") ------------
HEAP_CONNECT_TIMEOUT = read_float("HEAP_CONNECT_TIMEOUT", default=3.05, minimum=0.1)
HEAP_READ_TIMEOUT = read_float("HEAP_READ_TIMEOUT", default=30, minimum=0.1)
BATCH_LINGER = read_int("BATCH_LINGER", default=900)
# Seconds a sweep may spend packing before it hands over to a fresh run of itself (sweeps.py):
# well under CELERY_TASK_SOFT_TIME_LIMIT.
SWEEP_BUDGET = read_int("SWEEP_BUDGET", default=30, minimum=1)
BATCH_LEASE = read_int("BATCH_LEASE", default=300, minimum=1)
HEAP_RESUBMIT_UNCERTAIN = read_bool("HEAP_RESUBMIT_UNCERTAIN", default=True)
HEAP_MAX_ATTEMPTS = read_int("HEAP_MAX_ATTEMPTS", default=8, minimum=1)
HEAP_RETRY_BASE_DELAY = read_int("HEAP_RETRY_BASE_DELAY", default=30)
HEAP_RETRY_MAX_DELAY = read_int("HEAP_RETRY_MAX_DELAY", default=3600)
POLL_FIRST_DELAY = read_int("POLL_FIRST_DELAY", default=60)
POLL_MAX_INTERVAL = read_int("POLL_MAX_INTERVAL", default=3600)
POLL_GIVE_UP_AFTER = read_int("POLL_GIVE_UP_AFTER", default=30 * 24 * 3600, minimum=1)
JURISDICTIONS = read_list("JURISDICTIONS", ["GDPR-EU", "GDPR-UK", "CCPA", "VCDPA", "CPA", "CTDPA"])
DEFAULT_JURISDICTION = env.str("DEFAULT_JURISDICTION", default="GDPR-EU")
# Deadlines are whole days in this time zone; with roll-forward, one that falls on a weekend or
# public holiday moves to the next working day.
DEADLINE_TIME_ZONE = read_time_zone("DEADLINE_TIME_ZONE", "UTC")
DEADLINE_ROLL_FORWARD = read_bool("DEADLINE_ROLL_FORWARD", default=False)
# Latest safe submit = deadline - Heap's processing time (learned; this default until 10 batches
# have completed) - SAFE_SUBMIT_MARGIN. Within SAFE_SUBMIT_LEAD of it, subjects go at once.
HEAP_PROCESSING_TIME_DEFAULT = read_int("HEAP_PROCESSING_TIME_DEFAULT", default=7 * 24 * 3600)
SAFE_SUBMIT_MARGIN = read_int("SAFE_SUBMIT_MARGIN", default=2 * 24 * 3600)
SAFE_SUBMIT_LEAD = read_int("SAFE_SUBMIT_LEAD", default=3 * 24 * 3600)
# A batch larger than this waits for an Approver other than the officers who approved its
# requests (0 turns the second approval off).
REQUIRE_SECOND_APPROVAL_ABOVE = read_int("REQUIRE_SECOND_APPROVAL_ABOVE", default=0)
# Days a closed request is kept as it is before its personal data is replaced by keyed hashes
# (retention.py). 730: the 24 months CCPA regulations (11 CCR § 7101) ask records to be kept.
RETENTION_DAYS = read_int("RETENTION_DAYS", default=730, minimum=1)

# --- Logging ------------------------------------------------------------------------------
LOG_LEVEL = read_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- Email ------------------------------------------------------------------------------
EMAIL_CONFIG = read_email("EMAIL_URL", "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="privacy@localhost")
# Absolute base of links in emails (verification, status page, certificate).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Who issues the certificates of erasure, and where a subject writes about them.
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Example Ltd")
ORGANISATION_CONTACT = env.str("ORGANISATION_CONTACT", default="privacy@example.org")
# Every email waits in the outbox (heapprivacy/notifications) until sent: a failed attempt is
# retried after EMAIL_RETRY_BASE_DELAY seconds, doubling each time, up to EMAIL_MAX_ATTEMPTS.
EMAIL_MAX_ATTEMPTS = read_int("EMAIL_MAX_ATTEMPTS", default=8, minimum=1)
EMAIL_RETRY_BASE_DELAY = read_int("EMAIL_RETRY_BASE_DELAY", default=60, minimum=1)

# --- Intake -----------------------------------------------------------------------------
INTAKE_IDENTITY_FROM_EMAIL = read_bool("INTAKE_IDENTITY_FROM_EMAIL", default=True)
# The Heap account public-form requests are sent to (its label); empty: the only active one.
INTAKE_HEAP_ACCOUNT = env.str("INTAKE_HEAP_ACCOUNT", default="")
INTAKE_RATE_LIMIT = read_rate("INTAKE_RATE_LIMIT", "5/h")
# The request header holding the client IP, set by a proxy you trust (e.g. HTTP_X_FORWARDED_FOR);
# empty: REMOTE_ADDR. Never trust a client-supplied header without a proxy that overwrites it.
TRUSTED_PROXY_IP_HEADER = env.str("TRUSTED_PROXY_IP_HEADER", default="")
VERIFICATION_LINK_TTL = read_int("VERIFICATION_LINK_TTL", default=7 * 24 * 3600, minimum=60)

# --- REST API ---------------------------------------------------------------------------
API_RATE_LIMIT = read_rate("API_RATE_LIMIT", "120/m")
API_AUTH_FAILURE_LIMIT = read_rate("API_AUTH_FAILURE_LIMIT", "20/m")
# Bearer tokens with scopes, JSON only, problem+json errors, the per-client rate limit.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["heapprivacy.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["heapprivacy.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["heapprivacy.api.throttling.ApiClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["heapprivacy.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "heapprivacy.api.schema.ApiAutoSchema",
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "heapprivacy.api.errors.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "heapprivacy API",
    "DESCRIPTION": "Erasure requests, deletion batches and the audit trail, for other systems.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],  # the schema is public: it holds no data
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "RequestStateEnum": "heapprivacy.erasure.models.ErasureRequest.State",
        "BatchStateEnum": "heapprivacy.erasure.models.DeletionBatch.State",
        # the two shapes of a subject (api/schema.py SubjectSchema), one `kind` each
        "IdentityKindEnum": ["identity"],
        "UserIdKindEnum": ["user_id"],
    },
}

# --- Audit ------------------------------------------------------------------------------
# Where the daily anchor task also writes the audit head hash (outside the database); empty: log.
AUDIT_ANCHOR_FILE = env.str("AUDIT_ANCHOR_FILE", default="")
