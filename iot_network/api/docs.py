"""The API's documentation page: plain HTML in the site's layout, generated from the OpenAPI
schema on each render, so it describes exactly what the code serves (no script, no CDN)."""

from __future__ import annotations

import json

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .api import api

EXAMPLE_PATH = "courses?q=cyber+security&level=4&study_mode=part-time&limit=1"


def _type(schema: dict) -> str:
    """A JSON schema in a few words: "list of Course", "string (date) or null"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "anyOf" in schema:
        return " or ".join(_type(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    kind = schema.get("type", "any")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _parameter(parameter: dict, components: dict) -> dict:
    schema = parameter.get("schema", {})
    items = schema.get("items", {})
    if "anyOf" in schema:
        options = [option for option in schema["anyOf"] if option.get("type") != "null"]
        schema = options[0] if len(options) == 1 else schema
        items = schema.get("items", {})
    shown = dict(schema)
    if items:
        shown["items"] = _resolve(items, components)
    return {
        "name": parameter["name"],
        "where": parameter["in"],
        "required": parameter.get("required", False),
        "type": _type(_resolve(shown, components)),
        "repeatable": schema.get("type") == "array",
        "description": parameter.get("description") or schema.get("description", ""),
    }


def _operations(schema: dict) -> list[dict]:
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = []
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                body = content.get("schema")
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "type": _type(body) if body else "",
                    }
                )
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "parameters": [
                        _parameter(parameter, components)
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": responses,
                }
            )
    return operations


def _models(schema: dict) -> list[dict]:
    models = []
    for name, model in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(model.get("required", []))
        models.append(
            {
                "name": name,
                "description": model.get("description", ""),
                "fields": [
                    {
                        "name": field,
                        "type": _type(spec),
                        "always": field in required,
                        "description": spec.get("description", ""),
                    }
                    for field, spec in model.get("properties", {}).items()
                ],
            }
        )
    return models


EXAMPLE_RESPONSE = {
    "results": [
        {
            "id": 412,
            "slug": "cyber-security-htq",
            "url": "https://example.org/api/v1/courses/412",
            "web_url": "https://example.org/courses/cyber-security-htq/",
            "title": "Cyber Security HTQ",
            "level": 4,
            "qualification_type": "htq",
            "institute": {"id": 3, "slug": "...", "name": "...", "url": "...", "web_url": "..."},
            "runs": [
                {"id": 1207, "start_date": "2027-09-13", "study_mode": "part-time", "...": "..."}
            ],
            "next_start": "2027-09-13",
            "...": "...",
        }
    ],
    "next": "https://example.org/api/v1/courses?q=cyber+security&level=4&cursor=...",
}


@require_safe
def documentation(request):
    schema = api.get_openapi_schema()
    base = request.build_absolute_uri(reverse("api:api-root"))
    return render(
        request,
        "api/docs.html",
        {
            "info": schema["info"],
            "openapi_version": schema["openapi"],
            "operations": _operations(schema),
            "models": _models(schema),
            "schema_url": reverse("api:openapi-json"),
            "example_request": f"curl -i '{base}{EXAMPLE_PATH}'",
            "example_response": json.dumps(EXAMPLE_RESPONSE, indent=2),
        },
    )
