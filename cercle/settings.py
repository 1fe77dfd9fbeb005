"""Cercle's settings: one module, every value read from the environment.

`docs/configuration.md` lists every variable; keep the two in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cercle.config import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_url,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CERCLE_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()

DEBUG = env_bool("CERCLE_DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("CERCLE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env_url("CERCLE_SITE_URL", "http://127.0.0.1:8000", ["http", "https"]).rstrip("/")
SITE_NAME = env_str("CERCLE_SITE_NAME", "Cercle")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "cercle",
    "cercle.accounts",
    "cercle.audit",
    "cercle.ui",
    "cercle.mail",
    "cercle.periodic",
    "cercle.communities",
    "cercle.membership",
    "cercle.conversations",
    "cercle.people",
    "cercle.notifications",
    "cercle.knowledge",
    "cercle.wiki",
    "cercle.animation",
    "cercle.activities",
    "cercle.contests",
    "cercle.events",
    "cercle.personas",
    "cercle.ideas",
    "cercle.onboarding",
    "cercle.badges",
    # Before analytics: their daily jobs are not the last one (analytics counts what they did).
    "cercle.oauth",
    "cercle.mailin",
    "cercle.webhooks",
    "cercle.privacy",
    "cercle.importers",
    "cercle.activity",
    "cercle.analytics",
    "cercle.value",
    "cercle.nextactions",
    "cercle.search",
    "cercle.sso",
    "cercle.scim",
    "cercle.bridges",
    "cercle.feeds",
    "cercle.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cercle.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "cercle.sso.mfa_middleware.TwoFactorRequiredMiddleware",
    "cercle.activity.presence.PresenceMiddleware",
    # After django-csp's: adds the origins of providers set on the administration site to
    # the form-action of the pages that show their buttons (cercle/sso/csp.py).
    "cercle.sso.csp.FormOriginsMiddleware",
    # /api/v1/ only: rate limits per caller, idempotency keys, ETags (cercle/api/middleware.py).
    "cercle.api.middleware.ApiMiddleware",
]
# A member's first community page of the day records a visit (docs/metrics.md).
CERCLE_RECORD_PRESENCE = env_bool("CERCLE_RECORD_PRESENCE", True)

ROOT_URLCONF = "cercle.urls"
WSGI_APPLICATION = "cercle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cercle.ui.context_processors.site",
                "cercle.sso.context.sso",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite under var/ is the embedded default; DATABASE_URL switches to PostgreSQL.
_sqlite_path = VAR_DIR / "cercle.sqlite3"
DATABASE_URL = env_url(
    "DATABASE_URL", f"sqlite:///{_sqlite_path}", ["sqlite", "postgres", "postgresql"]
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("CERCLE_DB_CONN_MAX_AGE", 60, minimum=0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the task worker writes; IMMEDIATE
        # transactions take the write lock up front instead of failing mid-way.
        # Django turns foreign keys on for every SQLite connection itself.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------
# What is counted between requests lives in the cache (allauth's log-in lock-out and
# rate limits, presence): every server process must see the same one. Redis when
# CERCLE_REDIS_URL is set; otherwise a table of the database, which every worker
# shares with no other server (the migration cercle 0001 creates it; a deploy check
# warns about a cache kept inside each process).
REDIS_URL = env_url("CERCLE_REDIS_URL", "", ["redis", "rediss", "unix"])
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cercle",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cercle_cache",
            # Past this many entries, expired ones and then a third of the rest go.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# --- Background tasks ---------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "CERCLE_TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            [
                "django_tasks_db.DatabaseBackend",
                "django_tasks.backends.immediate.ImmediateBackend",
            ],
        ),
        "QUEUES": ["default", "email"],
    }
}

# --- Accounts ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Cercle's account adapter, which also ends the session at an OpenID Connect provider
# that offers a logout (cercle/sso/oidc_adapter.py).
ACCOUNT_ADAPTER = "cercle.sso.oidc_adapter.SsoAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "cercle.accounts.forms.SignupForm"
ACCOUNT_FORMS = {
    "login": "cercle.accounts.login_form.LoginForm",
    "reset_password": "cercle.accounts.login_form.ResetPasswordForm",
}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "CERCLE_EMAIL_VERIFICATION", "mandatory", ["mandatory", "optional", "none"]
)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# A newcomer who confirms their address in the browser they signed up in is signed in
# at once (allauth only does it within that session: a link opened elsewhere confirms
# and leads to the log-in form, so holding the link is never enough to sign in).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed log-ins are limited per IP address and per account (allauth's limiter,
# backed by the cache, which every server process shares).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("CERCLE_LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
}
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

# --- Single sign-on (docs/sso.md) -----------------------------------------------------
# The identity providers themselves are in SOCIALACCOUNT_PROVIDERS (from
# CERCLE_OIDC_PROVIDERS / CERCLE_SAML_PROVIDERS) or allauth's SocialApp rows; an app
# whose settings say "organisation": true is the organisation's own.
SOCIALACCOUNT_ADAPTER = "cercle.sso.adapter.SocialAccountAdapter"
# The first sign-in creates the account at once, with no form to fill...
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
# ...or links it to the existing account whose address is verified, when the provider
# vouches for the address too (the adapter refuses every other match, docs/sso.md).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# The operator trusts the providers they configure: no confirmation email after them.
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# Cercle calls no provider API on the person's behalf: no access token is kept.
SOCIALACCOUNT_STORE_TOKENS = False
# Starting a sign-in takes a POST (the buttons are forms), never a bare link.
SOCIALACCOUNT_LOGIN_ON_GET = False

# --- Two-factor sign-in and sessions (docs/two-factor.md) ------------------------------
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# A passkey (a security key that holds the account) signs in with no password.
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
# WebAuthn needs a secure context: https, or http://localhost (which the browsers and
# the fido2 library accept). Other plain-http origins only while developing.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# allauth 65 would write the session's row (last seen, IP) at every request of a
# signed-in person, unthrottled: the list shows where and when each session began.
USERSESSIONS_TRACK_ACTIVITY = False

# --- Identity providers (docs/sso.md) -------------------------------------------------
# OpenID Connect providers come from CERCLE_OIDC_PROVIDERS, SAML 2.0 ones from
# CERCLE_SAML_PROVIDERS (JSON lists checked at start-up by cercle/sso/oidc.py and
# cercle/sso/saml.py, which import nothing of Cercle), and both from SocialApp rows.
# PKCE is on for every OpenID Connect provider; signed assertions are always required.
from cercle.sso.oidc import form_action_origins as oidc_form_origins  # noqa: E402
from cercle.sso.oidc import socialaccount_providers  # noqa: E402
from cercle.sso.saml import form_action_origins as saml_form_origins  # noqa: E402
from cercle.sso.saml import saml_apps  # noqa: E402

SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {
    "openid_connect": socialaccount_providers(),
    "saml": {"APPS": saml_apps()},
}
# Forms whose answer redirects to a provider (sign-in, logout) need its origin allowed.
SSO_FORM_ACTION_ORIGINS = [
    *oidc_form_origins(SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]),
    *saml_form_origins(SOCIALACCOUNT_PROVIDERS["saml"]["APPS"]),
]

# --- API, OAuth applications, webhooks (docs/api.md) ------------------------------------
# Third-party applications registered by staff get tokens through the authorization
# code flow, always with PKCE; their scopes are the API's (cercle.api.caller.Scope).
# Named so that cercle.oauth's own table may point at DOT's applications (Django's
# migrations resolve a swappable model through this setting).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "read": "Read what you may read",
        "write": "Write as you",
        "admin": "Coordinate your communities",
    },
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    # The scopes staff allowed each application (cercle/oauth/scopes.py).
    "SCOPES_BACKEND_CLASS": "cercle.oauth.scopes.ApplicationScopes",
    # A person who already gave an application the same scopes is not asked again.
    "REQUEST_APPROVAL_PROMPT": "auto",
    # RFC 9700: PKCE with S256 only, no implicit or password grant, no token in a URL.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # RFC 9700 too: the issuer in the authorization response (RFC 9207), tokens stored
    # hashed, a replayed refresh token revokes its whole family.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# http:// redirect URIs stay allowed for native apps' loopback callbacks (RFC 8252): the
# registration refuses http:// to any other host (cercle/oauth/actions.py).
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]
# Rate limits of the API per caller (a token, an application's grant, a session),
# counted in the cache over a fixed window of this many seconds.
CERCLE_API_RATE_WINDOW = env_int("CERCLE_API_RATE_WINDOW", 300, minimum=1, maximum=86_400)
CERCLE_API_RATE_READS = env_int("CERCLE_API_RATE_READS", 600, minimum=1)
CERCLE_API_RATE_WRITES = env_int("CERCLE_API_RATE_WRITES", 120, minimum=1)

# --- Email ------------------------------------------------------------------------
EMAIL_HOST = env_str("CERCLE_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_PORT = env_int("CERCLE_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("CERCLE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CERCLE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CERCLE_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("CERCLE_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("CERCLE_EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("CERCLE_EMAIL_FROM", "Cercle <cercle@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalization -----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("CERCLE_TIME_ZONE", "Europe/Paris")
USE_I18N = True
# Dates in each language's own formats, with English ones that cannot be misread.
FORMAT_MODULE_PATH = ["cercle.formats"]
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60

# --- Security -------------------------------------------------------------------------
# Behind HTTPS (CERCLE_HTTPS=true) cookies are secure and browsers are told to
# stay on HTTPS; a TLS-terminating proxy must send X-Forwarded-Proto.
HTTPS = env_bool("CERCLE_HTTPS", SITE_URL.startswith("https://"))
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("CERCLE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("CERCLE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CERCLE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("CERCLE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is hard to undo and binds every subdomain: the operator opts
        # in with CERCLE_HSTS_PRELOAD, so Cercle does not nag about it.
        SILENCED_SYSTEM_CHECKS += ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Every script and style is served by Cercle itself: no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'", *SSO_FORM_ACTION_ORIGINS],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "CERCLE_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
        ),
    },
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # aiosmtpd (`cercle mail-in`) logs every connection and command at INFO: Cercle
        # logs what became of each message itself (docs/mail.md).
        "mail.log": {"level": "WARNING"},
    },
}

# --- Cercle ---------------------------------------------------------------------------------
# Who may create a community: instance staff only, or every member with an account.
COMMUNITY_CREATION = env_choice("CERCLE_COMMUNITY_CREATION", "staff", ["staff", "members"])
# How long an invitation stays valid.
INVITATION_DAYS = env_int("CERCLE_INVITATION_DAYS", 14, minimum=1, maximum=365)
# Largest file attached to a post, in megabytes.
ATTACHMENT_MAX_MB = env_int("CERCLE_ATTACHMENT_MAX_MB", 20, minimum=1, maximum=500)
# Replies shown per page of a topic.
POSTS_PER_PAGE = env_int("CERCLE_POSTS_PER_PAGE", 20, minimum=5, maximum=200)
# How often an open topic page asks for new replies, in seconds (docs/live.md).
CERCLE_LIVE_SECONDS = env_int("CERCLE_LIVE_SECONDS", 15, minimum=1, maximum=600)
# Largest logo or cover image a coordinator may upload, in megabytes.
IMAGE_MAX_MB = env_int("CERCLE_IMAGE_MAX_MB", 5, minimum=1, maximum=50)
# How many days the security log keeps its rows (docs/security-log.md).
SECURITY_LOG_DAYS = env_int("CERCLE_SECURITY_LOG_DAYS", 365, minimum=1, maximum=3650)
# The demo accounts' shared password, shown by `make run`; never used outside the demo.
DEMO_PASSWORD = env_str("CERCLE_DEMO_PASSWORD", "cercle-demo-2026")

# --- Data rights (docs/privacy.md) ----------------------------------------------------------
# How many days a prepared export of a person's data can be downloaded; then it is deleted.
CERCLE_EXPORT_DAYS = env_int("CERCLE_EXPORT_DAYS", 7, minimum=1, maximum=90)
# Exports live outside MEDIA_ROOT: never served as files, only by a view that checks who asks.
CERCLE_EXPORTS_ROOT = Path(env_str("CERCLE_EXPORTS_ROOT", str(VAR_DIR / "exports"))).resolve()

# --- Chat bridges (docs/api.md) -----------------------------------------------------------
# Accept chat and homeserver addresses on this machine (http://127.0.0.1...): the tests'
# local receivers and homeserver only. Off, a bridge posts to https:// addresses elsewhere.
CERCLE_BRIDGES_ALLOW_LOOPBACK = env_bool("CERCLE_BRIDGES_ALLOW_LOOPBACK", False)
# --- Webhooks (docs/api.md) ------------------------------------------------------------
# Also send to addresses on the local network and this machine (and plain http:// to the
# machine itself): for intranet receivers, development and the tests. Off: https:// to
# public addresses only.
WEBHOOKS_ALLOW_PRIVATE = env_bool("CERCLE_WEBHOOKS_ALLOW_PRIVATE", False)
# --- Mail in (docs/mail.md) --------------------------------------------------------------
# The mailbox Cercle receives at: replies go to `<local>+r-...@<domain>`, new topics to a
# space's `<local>+<community>.<space>@<domain>`, delivery reports to `<local>+b-...`.
# Empty: mail in is off, and emails carry no reply address.
MAIL_IN_ADDRESS = env_str("CERCLE_MAIL_IN_ADDRESS", "").strip()
if MAIL_IN_ADDRESS and (MAIL_IN_ADDRESS.count("@") != 1 or "+" in MAIL_IN_ADDRESS):
    raise ImproperlyConfigured(
        "CERCLE_MAIL_IN_ADDRESS must be one plain address such as cercle@example.org "
        f"(no '+' tag: Cercle adds its own); got {MAIL_IN_ADDRESS!r}."
    )
# `cercle serve` starts `cercle mail-in` with these when one is set (docs/mail.md):
# HOST:PORT to receive over SMTP (or LMTP with CERCLE_MAIL_IN_LMTP), or an IMAP mailbox
# to poll, imaps://user:password@host:port/INBOX (the password may come from
# CERCLE_MAIL_IN_IMAP_PASSWORD instead).
MAIL_IN_BIND = env_str("CERCLE_MAIL_IN_BIND", "").strip()
MAIL_IN_LMTP = env_bool("CERCLE_MAIL_IN_LMTP", False)
MAIL_IN_IMAP = env_str("CERCLE_MAIL_IN_IMAP", "").strip()
MAIL_IN_IMAP_PASSWORD = env_str("CERCLE_MAIL_IN_IMAP_PASSWORD", "")
MAIL_IN_IMAP_INTERVAL = env_int("CERCLE_MAIL_IN_IMAP_INTERVAL", 60, minimum=1)
# Messages received are written here before they are acknowledged, and stay until the
# database has them: nothing is lost while the database is briefly down.
MAIL_IN_SPOOL = Path(env_str("CERCLE_MAIL_IN_SPOOL", str(VAR_DIR / "mail-spool"))).resolve()
# Larger messages are refused with an answer by email (bytes, attachments included).
MAIL_IN_MAX_BYTES = env_int("CERCLE_MAIL_IN_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Messages one sender may send in an hour; beyond, refused with an answer by email.
MAIL_IN_RATE_PER_HOUR = env_int("CERCLE_MAIL_IN_RATE_PER_HOUR", 30, minimum=1)
# The authserv-id of the mail server whose Authentication-Results header Cercle trusts
# for DMARC (RFC 8601). Empty: the topmost such header, the one the last server added.
MAIL_IN_AUTHSERV_ID = env_str("CERCLE_MAIL_IN_AUTHSERV_ID", "").strip()
# Days the whole text of a handled message is kept for the staff's log (/staff/mail/);
# then only the log's columns stay (sender, recipient, subject, outcome), and the row goes
# after a year. Messages that failed or wait keep their text, to be tried again.
MAIL_IN_KEEP_DAYS = env_int("CERCLE_MAIL_IN_KEEP_DAYS", 30, minimum=1)
