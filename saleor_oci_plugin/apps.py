import logging
import time

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class OCIAppConfig(AppConfig):
    name = "saleor_oci_plugin"
    label = "saleor_oci_plugin"
    verbose_name = "OCI punch-out"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .import_hooks import call_after_import

        # Deferred: importing the GraphQL modules imports Saleor's GraphQL types,
        # which only processes that serve GraphQL need.
        call_after_import("saleor.graphql.api", _extend_schema)


def _extend_schema(api) -> None:
    started = time.perf_counter()
    from .graphql.schema import extend_saleor_schema

    extend_saleor_schema(api)
    logger.debug(
        "OCI fields added to Saleor's GraphQL schema in %.1f ms",
        (time.perf_counter() - started) * 1000,
    )
