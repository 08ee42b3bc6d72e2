"""Run inside the interoperability venv: validates response bodies with tempest's own schemas.

Reads a JSON list of {"module", "schema", "status", "body"} from stdin, validates each the way
tempest's RestClient.validate_response does (Draft 4 + tempest's format checker), and prints a
JSON list of error strings (empty strings for passes).
"""

import importlib
import json
import pkgutil
import sys

import jsonschema
from tempest.lib.common import jsonschema_validator


def _versions(resource):
    """(minor, module) for every tempest compute v2_N package that has `resource`.py."""
    import tempest.lib.api_schema.response.compute as compute

    found = []
    for info in pkgutil.iter_modules(compute.__path__):
        if info.name.startswith("v2_"):
            try:
                module = importlib.import_module(f"{compute.__name__}.{info.name}.{resource}")
            except ImportError:
                continue
            found.append((int(info.name[3:]), module))
    return sorted(found, key=lambda item: item[0])


def pick(resource, schema_name, minor):
    """The schema tempest uses at microversion 2.<minor>: the newest module at or below it."""
    chosen = None
    for module_minor, module in _versions(resource):
        if module_minor <= minor and hasattr(module, schema_name):
            chosen = (module_minor, getattr(module, schema_name))
    return chosen


def main() -> None:
    cases = json.load(sys.stdin)
    results = []
    for case in cases:
        minor, schema = pick(case.get("resource", "servers"), case["schema"], case["minor"])
        case["module"] = f"v2_{minor}"
        try:
            if case["status"] not in schema["status_code"]:
                raise ValueError(f"status {case['status']} not in {schema['status_code']}")
            if "response_body" in schema:
                jsonschema_validator.JSONSCHEMA_VALIDATOR(
                    schema["response_body"], format_checker=jsonschema_validator.FORMAT_CHECKER
                ).validate(case["body"])
            results.append("")
        except (jsonschema.ValidationError, ValueError) as exc:
            results.append(f"{case['module']}.{case['schema']}: {str(exc)[:600]}")
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
