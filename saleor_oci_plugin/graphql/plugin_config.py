"""The plugin's configuration for a mutation, or a refusal when it is switched off."""

from django.core.exceptions import ValidationError
from saleor.graphql.core import ResolveInfo
from saleor.graphql.plugins.dataloaders import get_plugin_manager_promise
from saleor.plugins.manager import PluginsManager

from .. import PLUGIN_ID
from ..configuration import SWITCHED_OFF
from ..dataclasses import OCIConfiguration
from ..error_codes import OciErrorCode


def active_plugin_config(info: ResolveInfo) -> tuple[OCIConfiguration, PluginsManager]:
    """The active plugin's configuration and the request's plugins manager."""
    manager = get_plugin_manager_promise(info.context).get()
    plugin = manager.get_plugin(PLUGIN_ID)
    if plugin is None or not plugin.active:
        raise ValidationError(SWITCHED_OFF, code=OciErrorCode.INVALID.value)
    return plugin.config, manager
