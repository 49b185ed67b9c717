from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from institutes.network_map import NetworkMap

register = template.Library()


@register.simple_tag
def network_map_figure(network_map: NetworkMap, *, map_id: str, caption: str) -> str:
    """The map as inline SVG (templates/institutes/_network_map.html).

    The figure depends on nothing but its arguments, and writing the coastline and 21 markers
    through the template engine took longer than the rest of the home page, so each process
    keeps the last few it wrote."""
    return _figure(network_map, map_id, caption)


@lru_cache(maxsize=32)
def _figure(network_map: NetworkMap, map_id: str, caption: str) -> str:
    return mark_safe(
        render_to_string(
            "institutes/_network_map.html",
            {"network_map": network_map, "map_id": map_id, "caption": caption},
        )
    )
