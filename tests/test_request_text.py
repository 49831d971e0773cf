"""Every text field a caller sends is constrained: an identifier, a name or free text from xinyidai_shared.text.

Found from the routes, so a field added later is checked too: a plain ``str`` in a request body would let
NUL (which PostgreSQL refuses: a 500), line breaks or right-to-left overrides into identifiers and logs.
"""

from __future__ import annotations

import types
import typing

from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from tools.stack import SERVICES, service_app
from xinyidai_shared import text

CHECKS = {text._identifier, text._name, text._text}


def _constrained(metadata: list) -> bool:
    """A shared text check, a pattern, or a closed set of values."""
    for item in metadata:
        if getattr(item, "func", None) in CHECKS or getattr(item, "pattern", None):
            return True
    return False


def _loose_strings(annotation: object, metadata: list, where: str, seen: set) -> list[str]:
    """Paths of the ``str`` values in a field's type that carry no text constraint."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _loose_strings(base, [*metadata, *extra], where, seen)
    if annotation is str:
        return [] if _constrained(metadata) else [where]
    if origin is typing.Literal:
        return []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, seen)
    union = origin in (typing.Union, types.UnionType)  # a field's own checks hold for each of its alternatives
    loose = []
    for arg in typing.get_args(annotation):
        loose += _loose_strings(arg, metadata if union else [], where if union else where + "[]", seen)
    return loose


def _model(model: type[BaseModel], seen: set) -> list[str]:
    if model in seen:
        return []
    seen.add(model)
    loose = []
    for name, field in model.model_fields.items():
        loose += _loose_strings(field.annotation, list(field.metadata), f"{model.__name__}.{name}", seen)
    return loose


def test_every_text_field_of_every_request_body_is_an_identifier_a_name_or_free_text() -> None:
    loose, models = [], 0
    for service in SERVICES:
        seen: set = set()
        for context in iter_route_contexts(service_app(service).routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or route.body_field is None:
                continue
            model = route.body_field.field_info.annotation
            for candidate in (model, *typing.get_args(model)):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel) and candidate not in seen:
                    models += 1
                    loose += [f"{service} {context.path}: {path}" for path in _model(candidate, seen)]
    assert models >= 25, f"only {models} request models found; the walk is broken"
    assert loose == [], f"request text without a constraint from xinyidai_shared.text: {loose}"
