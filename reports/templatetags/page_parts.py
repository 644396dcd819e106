from django import template
from django.utils.safestring import mark_safe

from reports.page_parts import kept_part

register = template.Library()


@register.tag
def keep(parser, token):
    """``{% keep report "name" %}...{% endkeep %}``: the part of a report's page between the
    tags, kept in the cache for this version of everything it shows (``reports.page_parts``).
    """
    try:
        _, report, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("keep takes a report and a part's name") from None
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeptPartNode(parser.compile_filter(report), parser.compile_filter(name), nodelist)


class KeptPartNode(template.Node):
    def __init__(self, report, name, nodelist):
        self.report, self.name, self.nodelist = report, name, nodelist

    def render(self, context):
        report = self.report.resolve(context)
        html = kept_part(
            self.name.resolve(context), report, context, lambda: self.nodelist.render(context)
        )
        return mark_safe(html)  # noqa: S308 - drawn by the template between the tags
