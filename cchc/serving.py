"""What the app server's master process does once, before it forks its workers.

gunicorn imports the app in its master (``preload_app``) and forks each worker from it, and
replaces a worker every 2,000 requests or so. Whatever a worker builds on its first requests
it builds again after each replacement: the URL configuration (with every view module it
imports), its reverse lookups in each language, the translations and the compiled templates
took about 0.3 s of CPU per new worker under load. Built once in the master, each worker
starts with them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def template_names(folder: Path, *, skip: tuple[str, ...] = ()) -> list[str]:
    """The names of the templates under ``folder``, as an engine is asked for them; not
    those under its sub-folders ``skip``."""
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix == ".html"
        and path.relative_to(folder).parts[0] not in skip
    )


def warm_up() -> None:
    """Import the URL configuration, build its reverse lookups in each language, load each
    language's translations and compile the project's templates. Reads no database: a
    connection opened in the master would be shared by the forked workers."""
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the language's catalogue
            resolver.reverse_dict  # noqa: B018 (built on first use, per language)
    root = Path(settings.BASE_DIR) / "templates"
    for name in template_names(root, skip=("jinja2",)):
        engines["django"].get_template(name)
    for name in template_names(root / "jinja2"):
        engines["jinja2"].get_template(name)
