import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuncha.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import every view and compile every page template before the first
    request, as each web process starts: the first people of the morning do
    not wait for it, and a process's memory is what it is from the start
    (the load test's "memory flat" reads growth, not a warm-up)."""
    from django.conf import settings
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(folder.rglob("*.html")):
            name = path.relative_to(folder).as_posix()
            try:
                get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError) as error:
                logging.getLogger(__name__).warning("template %s: %s", name, error)


_warm_up()
