"""Settings for diethnos, read from the environment (see README.md, "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from diethnos.client_address import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "diethnos")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "diethnos.apps.DeskAdminConfig",  # django.contrib.admin, as the editors' desk
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "taggit",
    "reversion",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_prose_editor",
    "imagekit",
    "corsheaders",
    "ninja",  # its Swagger UI files, for the read API's documentation
    "diethnos",
    "authors",
    "tags",
    "reports",
    "corrections",
    "api",
]

MIDDLEWARE = [
    # Before all: a HEAD request to the read API goes through as a GET, its body dropped last.
    "api.head_requests.HeadAsGetMiddleware",
    # The read API's CORS headers and rate limit (/api/ only), before the page cache, so that
    # pages answered from the cache carry the headers and count against the limit too.
    "corsheaders.middleware.CorsMiddleware",
    "api.throttle.RateLimitMiddleware",
    # First: a cached page is answered before any other middleware runs, with the headers
    # they added when it was drawn.
    "diethnos.page_cache.PageCacheMiddleware",
    "api.errors.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "authors.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "diethnos.content_security.ReportingEndpointsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Last: sends a request that found no page on to where the page moved.
    "diethnos.redirects.RedirectMiddleware",
]

# The read API (/api/v1/): requests a minute per client address without a key, and with an API
# key issued in the desk (an ApiKey may set its own); 0 for no limit. Any origin may read it.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "60"))
API_KEY_RATE_LIMIT = int(os.environ.get("API_KEY_RATE_LIMIT", "600"))
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "x-api-key", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Anonymous pages are kept this long in the shared cache (0 turns the page cache off); a
# change purges the pages that show it at once. Browsers may keep them PAGE_CACHE_MAX_AGE,
# CDNs and proxies PAGE_CACHE_S_MAXAGE, and either may serve one that long again while fetching
# it anew (stale-while-revalidate). None keeps a page past the next scheduled publication.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))
PAGE_CACHE_S_MAXAGE = int(os.environ.get("PAGE_CACHE_S_MAXAGE", str(PAGE_CACHE_MAX_AGE)))
PAGE_CACHE_STALE_WHILE_REVALIDATE = int(
    os.environ.get("PAGE_CACHE_STALE_WHILE_REVALIDATE", str(PAGE_CACHE_MAX_AGE * 5))
)
# A cache in front of the site told which pages to drop when content changes
# (diethnos/frontend_cache.py): "" (none), "varnish" (a BAN to each of
# FRONTEND_CACHE_LOCATIONS, e.g. http://127.0.0.1:6081) or "cloudflare" (purge by Cache-Tag in
# zone FRONTEND_CACHE_CLOUDFLARE_ZONE with the API token FRONTEND_CACHE_CLOUDFLARE_TOKEN).
FRONTEND_CACHE_BACKEND = os.environ.get("FRONTEND_CACHE_BACKEND", "")
FRONTEND_CACHE_LOCATIONS = env_list("FRONTEND_CACHE_LOCATIONS")
FRONTEND_CACHE_CLOUDFLARE_ZONE = os.environ.get("FRONTEND_CACHE_CLOUDFLARE_ZONE", "")
FRONTEND_CACHE_CLOUDFLARE_TOKEN = os.environ.get("FRONTEND_CACHE_CLOUDFLARE_TOKEN", "")
FRONTEND_CACHE_TIMEOUT = float(os.environ.get("FRONTEND_CACHE_TIMEOUT", "2"))

ROOT_URLCONF = "diethnos.urls"
WSGI_APPLICATION = "diethnos.wsgi.application"

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
                "csp.context_processors.nonce",
                "diethnos.context_processors.site",
            ],
        },
    },
]
# Form widgets are drawn with the templates above, so that a widget of the project (such as
# diethnos.images.ImageInput) can use the site's components; Django's own come from django.forms.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The task worker writes beside the server. A transaction that takes the write lock when
    # it begins waits its turn (up to "timeout" seconds); one that read first and wrote later
    # would fail at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any query it overestimates, and a page's queries pay more to be
    # compiled (hundreds of milliseconds) than they take to run.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Queries are bound on the client and never prepared, except the few run on every request
    # that ask for it (reports.page_digest.prepared_cursor): planned once per connection.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    # An unreachable Redis is a cache miss, not an error (diethnos/cache.py); the short
    # timeouts keep a server that does not answer from holding requests up.
    REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
    CACHES = {
        "default": {
            "BACKEND": "diethnos.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "diethnos"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/profile/"
LOGOUT_REDIRECT_URL = "/"

# The reverse proxies in front of the site, whose X-Forwarded-For is believed
# (diethnos/client_address.py): addresses or networks, e.g. "127.0.0.1" for nginx on the host.
TRUSTED_PROXIES = parse_networks(os.environ.get("DJANGO_TRUSTED_PROXIES", ""))

# Sign-in throttling (admin and contributor sign-in alike). Wrong passwords lock a username
# for the address they came from only, so a stranger's guesses lock out the stranger, and the
# account's owner still signs in from anywhere else.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "diethnos.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Two-factor authentication (authors/two_factor.py): a code from an authenticator app (TOTP)
# after the password, for whoever has set it up; DJANGO_REQUIRE_2FA makes it a must for
# "editors" (the Editors group and superusers) or for all "staff" (contributors too).
REQUIRE_TWO_FACTOR = os.environ.get("DJANGO_REQUIRE_2FA", "").strip().lower()
if REQUIRE_TWO_FACTOR in {"", "0", "off", "no", "false"}:
    REQUIRE_TWO_FACTOR = ""
elif REQUIRE_TWO_FACTOR not in {"editors", "staff"}:
    raise ImproperlyConfigured("DJANGO_REQUIRE_2FA must be “editors”, “staff” or “off”.")
OTP_TOTP_ISSUER = SITE_NAME
# Nobody, superusers included, reads another person's authenticator key or codes in the desk.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Wrong codes count as failed sign-ins for django-axes, under the same lock-out as passwords.
# django-otp's own delay per device is off: it would double up, and it grows without bound,
# letting anyone who knows a password keep its owner out for days.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Codes are not kept in django-axes's record of failed attempts.
AXES_SENSITIVE_PARAMETERS = ["code", "recovery_code"]
# How long the code may be asked for after the password was accepted.
TWO_FACTOR_SIGN_IN_SECONDS = 600

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Let Django itself serve uploads (development and tests); in production the web server does.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)
STORAGES = {
    # Uploads and their renditions; e.g. storages.backends.s3.S3Storage (README, "Deploying").
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Image renditions (diethnos/renditions.py) are written when an image is saved.
IMAGEKIT_CACHEFILE_DIR = "renditions"
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
# Uploaded images (diethnos/images.py): larger files, or more pixels, are refused.
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("IMAGE_UPLOAD_MAX_MB", "10")) * 1000 * 1000
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_MEGAPIXELS", "40")) * 1000 * 1000
# Read by django-storages' S3 backend when DJANGO_MEDIA_STORAGE selects it; boto3 takes the
# credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) from the environment itself.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME")
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME")
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL")
AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN")
AWS_LOCATION = os.environ.get("AWS_LOCATION", "")
# Plain public URLs: pages compute them without signing, and CDNs can cache them.
AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
AWS_S3_FILE_OVERWRITE = False
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TAGGIT_CASE_INSENSITIVE = True

# Mail goes through the SMTP server named by EMAIL_HOST; without one it is printed (development).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # for the file-based backend
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "diethnos <noreply@localhost>")

# Background work (e-mail) goes through Django's tasks API: stored in the database and run by
# `manage.py db_worker` (README, "Background work"). The immediate backend runs each task at
# once, inside the request that asks for it, with no worker.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}


# No page, the editors' desk included, allows inline script or a third-party origin. The pages
# with the rich-text editor add a nonce for its import map and the hash of its stylesheet
# (diethnos/content_security.py). Violations are reported to CSP_REPORT_URI when it is set,
# e.g. "/csp-report/", which logs them. (Not a setting of its own: django-csp takes CSP_* names
# for its old settings.)
csp_report_uri = os.environ.get("CSP_REPORT_URI", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # A nonce is added only to pages that ask for one (the rich-text editor's).
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"] + env_list("CSP_IMG_SRC"),
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": [csp_report_uri], "report-to": "csp"} if csp_report_uri else {}),
    },
}
# Browser features no page uses are turned off, for the site and anything it might embed.
PERMISSIONS_POLICY = dict.fromkeys(
    [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ],
    [],
)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer may check an app server directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
