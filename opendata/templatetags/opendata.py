from django import template

from opendata.discovery import head_context

register = template.Library()


@register.inclusion_tag("opendata/head_links.html", takes_context=True)
def opendata_head_links(context):
    """The API, the exports and the JSON-LD of what the page shows, for its <head>."""
    return head_context(context)
