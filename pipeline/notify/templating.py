"""The message bodies' templates (``pipeline/notify/templates/``) and the one Jinja2
environment that renders them.

The Python side computes the values (formatted numbers, chosen colours, rows as small
frozen dataclasses); every bit of markup lives in the templates. Rules of the environment:

- ``*.html`` templates escape every value by default (:func:`jinja2.select_autoescape`);
  the plain-text ``*.txt`` templates do not. Values are escaped the way :func:`html.escape`
  does with ``quote=True`` (``&quot;``, ``&#x27;``), so the HTML is the same, byte for byte
  in its entities, as when it was built with f-strings. No template marks a value derived from
  post text or brand configuration ``|safe``; a test greps for it.
- A variable a template uses but is not given fails loudly (:class:`jinja2.StrictUndefined`).
- Built once per process; the templates ship in the wheel as package data of
  ``pipeline.notify`` (``[tool.setuptools.package-data]`` in pyproject.toml).
"""

from __future__ import annotations

import dataclasses
import functools
import html
from typing import TYPE_CHECKING

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    pass_eval_context,
    select_autoescape,
)
from markupsafe import Markup

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from jinja2.nodes import EvalContext

#: The templates' folder inside the ``pipeline.notify`` package.
TEMPLATES = "templates"


@pass_eval_context
def _finalize(eval_ctx: EvalContext, value: object) -> object:
    """In autoescaped templates, escape a value as ``html.escape(value, quote=True)`` does.

    Jinja2 would escape anyway (MarkupSafe writes ``&#34;`` and ``&#39;``); doing it here
    keeps the entities the mail bodies always had. Markup (a macro's or ``caller()``'s output)
    passes unchanged. Plain-text templates get the value as it is.
    """
    if eval_ctx.autoescape and not hasattr(value, "__html__"):
        return Markup(html.escape(str(value), quote=True))  # noqa: S704 - escaped just now
    return value


@functools.cache
def environment() -> Environment:
    """The process's one environment over ``pipeline/notify/templates/``."""
    return Environment(
        loader=PackageLoader("pipeline.notify", TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render(name: str, view: DataclassInstance, **extra: object) -> str:
    """Template ``name`` with ``view``'s fields (and ``extra``) as its variables."""
    values = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    return environment().get_template(name).render(values, **extra)
