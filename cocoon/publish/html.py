"""HTML pages from the package's Jinja templates (``cocoon/templates/*.j2``).

Templates are the package's own; everything from the user's files reaches them as data and
is HTML-escaped (autoescape). The environment is sandboxed, so a template can call no Python
beyond what it is given.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


@cache
def environment() -> jinja2.Environment:
    """The one template environment: the package's templates, autoescaped and sandboxed."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        loader=jinja2.PackageLoader("cocoon", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


def render(template: str, **data: Any) -> str:
    """The page ``template`` (a file name under ``cocoon/templates``) filled with ``data``."""
    return environment().get_template(template).render(**data)
