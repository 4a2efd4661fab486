from django.apps import AppConfig


class OCIAppConfig(AppConfig):
    name = "saleor_oci_plugin"
    label = "saleor_oci_plugin"
    verbose_name = "OCI punch-out"
    default_auto_field = "django.db.models.BigAutoField"
