"""Django settings for mypy's Django plugin: the app alone, no Saleor needed."""

SECRET_KEY = "typing-only"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "saleor_oci_plugin",
]
