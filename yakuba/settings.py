"""Yakuba settings, read from the environment.

Defaults give a development setup on SQLite. Production sets ``YAKUBA_PRODUCTION=1`` together with
``SECRET_KEY``, ``YAKUBA_FIELD_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``; see docs/operations.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = envbool("YAKUBA_PRODUCTION")
DEBUG = envbool("DEBUG", default=not PRODUCTION)

# A fixed key is fine for development only; production refuses to start without a real one.
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("YAKUBA_PRODUCTION=1 needs SECRET_KEY (50+ random characters) in the environment")

# Key for 個人番号 and other encrypted fields (a Fernet key, urlsafe base64 of 32 bytes), kept outside
# the database. The development key below only protects demo data.
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZC0="
YAKUBA_FIELD_KEY = os.environ.get("YAKUBA_FIELD_KEY", "" if PRODUCTION else _DEV_FIELD_KEY)
if PRODUCTION and not YAKUBA_FIELD_KEY:
    raise RuntimeError("YAKUBA_PRODUCTION=1 needs YAKUBA_FIELD_KEY (a Fernet key) in the environment")

# Ed25519 key that signs certificates' QR codes (urlsafe base64 of 32 random bytes).
_DEV_SIGNING_KEY = "ZGV2LW9ubHktY2VydGlmaWNhdGUtc2lnbmluZy1rZXk="
YAKUBA_SIGNING_KEY = os.environ.get("YAKUBA_SIGNING_KEY", "" if PRODUCTION else _DEV_SIGNING_KEY)
if PRODUCTION and not YAKUBA_SIGNING_KEY:
    raise RuntimeError(
        "YAKUBA_PRODUCTION=1 needs YAKUBA_SIGNING_KEY (urlsafe base64 of 32 bytes) in the environment"
    )
# The address residents reach (printed in certificates' QR codes for verification).
YAKUBA_PUBLIC_URL = os.environ.get("YAKUBA_PUBLIC_URL", "http://127.0.0.1:8000")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# Payments: the register's machines (dotted paths of adapter classes) and the cashless processors'
# fee rates in basis points (2.2% = 220), e.g. YAKUBA_CASHLESS_FEE_RATES="card=220,emoney=220,qr=290".
YAKUBA_CHANGE_MACHINE = os.environ.get(
    "YAKUBA_CHANGE_MACHINE", "yakuba.payments.adapters.SimulatedChangeMachine"
)
YAKUBA_PAYMENT_GATEWAY = os.environ.get("YAKUBA_PAYMENT_GATEWAY", "yakuba.payments.adapters.SimulatedGateway")
YAKUBA_CASHLESS_FEE_RATES = {
    method: int(rate)
    for method, rate in (
        pair.split("=", 1) for pair in envlist("YAKUBA_CASHLESS_FEE_RATES", "card=220,emoney=220,qr=290")
    )
}
# 全銀協 口座振替: the city's 委託者 code and name, and the account fees are collected into.
YAKUBA_ZENGIN_ITAKU_CODE = os.environ.get("YAKUBA_ZENGIN_ITAKU_CODE", "1234567890")
YAKUBA_ZENGIN_ITAKU_NAME = os.environ.get("YAKUBA_ZENGIN_ITAKU_NAME", "ｲﾁﾉﾓﾘｼ")
YAKUBA_ZENGIN_COLLECTING_ACCOUNT = os.environ.get("YAKUBA_ZENGIN_COLLECTING_ACCOUNT", "0001-001-1-1234567")

# Kairan notifications: the LINE Messaging API (an empty channel access token switches LINE off; email
# still works) and the local hour (Asia/Tokyo) from which members who chose 「1日1回まとめて」 get their
# daily digest (`yakuba kairan_notify --digest`).
YAKUBA_LINE_API_BASE = os.environ.get("YAKUBA_LINE_API_BASE", "https://api.line.me")
YAKUBA_LINE_CHANNEL_TOKEN = os.environ.get("YAKUBA_LINE_CHANNEL_TOKEN", "")
YAKUBA_KAIRAN_DIGEST_HOUR = envint("YAKUBA_KAIRAN_DIGEST_HOUR", 18)

# The assistant (the city website's chatbot). Everything works offline; an OpenAI-compatible LLM endpoint
# is optional (base URL such as http://127.0.0.1:8080/v1, model name, key). Word vectors (a word2vec text
# file such as chiVe's) or an embedder class add a semantic channel to retrieval. EMBED_ORIGINS lists the
# city website origins allowed to show the chat widget in a frame; DEMO_SITE serves the demo city's
# pages at /city/ (off in production).
YAKUBA_ASSISTANT_LLM_BASE_URL = os.environ.get("YAKUBA_ASSISTANT_LLM_BASE_URL", "")
YAKUBA_ASSISTANT_LLM_MODEL = os.environ.get("YAKUBA_ASSISTANT_LLM_MODEL", "")
YAKUBA_ASSISTANT_LLM_API_KEY = os.environ.get("YAKUBA_ASSISTANT_LLM_API_KEY", "")
YAKUBA_ASSISTANT_LLM_TIMEOUT = envint("YAKUBA_ASSISTANT_LLM_TIMEOUT", 20)
YAKUBA_ASSISTANT_WORD_VECTORS = os.environ.get("YAKUBA_ASSISTANT_WORD_VECTORS", "")
YAKUBA_ASSISTANT_EMBEDDER = os.environ.get("YAKUBA_ASSISTANT_EMBEDDER", "")
YAKUBA_ASSISTANT_EMBED_ORIGINS = envlist("YAKUBA_ASSISTANT_EMBED_ORIGINS")
YAKUBA_ASSISTANT_DEMO_SITE = envbool("YAKUBA_ASSISTANT_DEMO_SITE", not PRODUCTION)
YAKUBA_ASSISTANT_QUESTIONS_PER_MINUTE = envint("YAKUBA_ASSISTANT_QUESTIONS_PER_MINUTE", 20)

# Outgoing email (Django 6.1 mailers): SMTP to YAKUBA_SMTP_HOST; without it, a local mail relay on
# port 25 in production and the console in development. The sender is YAKUBA_MAIL_FROM.
DEFAULT_FROM_EMAIL = os.environ.get("YAKUBA_MAIL_FROM", "yakuba@localhost")
if os.environ.get("YAKUBA_SMTP_HOST") or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("YAKUBA_SMTP_HOST", "localhost"),
                "port": envint("YAKUBA_SMTP_PORT", 587 if os.environ.get("YAKUBA_SMTP_HOST") else 25),
                "username": os.environ.get("YAKUBA_SMTP_USER", ""),
                "password": os.environ.get("YAKUBA_SMTP_PASSWORD", ""),
                "use_tls": envbool("YAKUBA_SMTP_TLS", default=bool(os.environ.get("YAKUBA_SMTP_HOST"))),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Optional modules, switched off by leaving them out of YAKUBA_MODULES. `core` is always on.
# Order matters: `yakuba demo` seeds modules in this order (cards need residents, and so on).
YAKUBA_OPTIONAL_MODULES = ["residents", "cardsim", "certificates", "tax", "payments", "kairan", "assistant"]
# A module is installed only with the modules it builds on.
YAKUBA_MODULE_NEEDS = {
    "cardsim": ["residents"],
    "certificates": ["residents", "cardsim"],
    "payments": ["residents", "tax"],  # day-care fees read residents and tax assessments
}
_wanted = envlist("YAKUBA_MODULES", ",".join(YAKUBA_OPTIONAL_MODULES))
YAKUBA_MODULES = [
    m
    for m in YAKUBA_OPTIONAL_MODULES
    if m in _wanted and all(need in _wanted for need in YAKUBA_MODULE_NEEDS.get(m, []))
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "ninja",
    "yakuba.core",
    *[f"yakuba.{m}" for m in YAKUBA_MODULES],
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yakuba.core.middleware.StaffTwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

if PRODUCTION:
    # Development serves static files through runserver; production through WhiteNoise (run collectstatic).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "yakuba.urls"
WSGI_APPLICATION = "yakuba.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yakuba.core.context_processors.platform",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'yakuba.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing half-way;
    # SQLite has no SELECT ... FOR UPDATE. WAL lets readers continue during a write.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.StaffUser"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff sessions end after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = envint("YAKUBA_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: after this many failures for one user name (or from one address) within the
# window, further attempts are refused until the window has passed.
YAKUBA_LOGIN_MAX_FAILURES = envint("YAKUBA_LOGIN_MAX_FAILURES", 5)
YAKUBA_LOGIN_WINDOW_SECONDS = envint("YAKUBA_LOGIN_WINDOW_SECONDS", 15 * 60)

OTP_TOTP_ISSUER = "Yakuba"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("YAKUBA_MEDIA_ROOT", BASE_DIR / "var" / "media"))
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("YAKUBA_TASK_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"),
    }
}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "yakuba.core.redaction.RedactMyNumberFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING"),
    },
}
