"""Schemas as files: a JSON Schema per event and an AsyncAPI 3 document, generated from the catalogue,
plus the backward-compatibility rules a change must keep against the committed files.

    python -m carerelay_contract.schemas write   # regenerate libs/contract/schemas/
    python -m carerelay_contract.schemas check   # exit 1 when generated files differ or compatibility breaks
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .catalogue import CATALOGUE
from .envelope import CORRELATION_HEADER
from .model import Event
from .topics import TOPICS

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def event_schema(cls: type[Event]) -> dict[str, Any]:
    schema = cls.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://carerelay.example/schemas/{cls.ce_type()}.json"
    schema["title"] = cls.__name__
    schema["x-cloudevents-type"] = cls.ce_type()
    schema["x-topic"] = cls.topic.value
    return schema


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic, spec in TOPICS.items():
        channel_id = topic.name.lower().replace("_", "-")
        channel_messages = {
            cls.__name__: {"$ref": f"#/components/messages/{cls.__name__}"} for cls in CATALOGUE if cls.topic == topic
        }
        channels[channel_id] = {
            "address": topic.value,
            "description": f"{spec.description} Key: {spec.key}. Partitions: {spec.partitions}.",
            "messages": channel_messages,
            "bindings": {"kafka": {"topic": topic.value, "partitions": spec.partitions}},
        }
        if channel_messages:
            operations[f"receive-{channel_id}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id}"},
            }
    for cls in CATALOGUE:
        messages[cls.__name__] = {
            "name": cls.ce_type(),
            "title": cls.__name__,
            "summary": (cls.__doc__ or cls.__name__).strip().splitlines()[0],
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventsKafkaHeaders"},
            "payload": {"$ref": f"schemas/{cls.ce_type()}.json"},
            "bindings": {"kafka": {"key": {"type": "string", "description": "episode id"}}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CareRelay events",
            "version": "1.0.0",
            "description": "Events exchanged by CareRelay's services, CloudEvents binary mode on Kafka.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {
                "CloudEventsKafkaHeaders": {
                    "type": "object",
                    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "content-type"],
                    "properties": {
                        "ce_specversion": {"type": "string", "const": "1.0"},
                        "ce_id": {"type": "string"},
                        "ce_source": {"type": "string"},
                        "ce_type": {"type": "string"},
                        "ce_time": {"type": "string", "format": "date-time"},
                        "ce_subject": {"type": "string", "description": "episode id"},
                        "content-type": {"type": "string", "const": "application/json"},
                        "traceparent": {"type": "string", "description": "W3C trace context"},
                        "tracestate": {"type": "string"},
                        CORRELATION_HEADER: {"type": "string", "description": "BaRS X-Correlation-ID of the case"},
                    },
                }
            },
        },
    }


def generated_files() -> dict[str, str]:
    files = {f"{cls.ce_type()}.json": _dump(event_schema(cls)) for cls in CATALOGUE}
    files["asyncapi.json"] = _dump(asyncapi_document())
    return files


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------- compatibility


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return dict(root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {}))
    return schema


def _types(schema: dict[str, Any], root: dict[str, Any]) -> set[str]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        found: set[str] = set()
        for option in schema["anyOf"]:
            found |= _types(option, root)
        return found
    if "type" in schema:
        value = schema["type"]
        return set(value) if isinstance(value, list) else {value}
    if "enum" in schema or "const" in schema:
        return {"enum"}
    if "properties" in schema:
        return {"object"}
    return {"any"}


def compatibility_problems(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """What makes `new` unable to read every event valid under `old`: a field removed or retyped,
    a field newly required, an enum value removed. Nested objects are checked too."""
    problems: list[str] = []
    old_root, new_root = old, new
    return _compare(old, new, old_root, new_root, where or old.get("title", "event"), problems)


def _compare(
    old: dict[str, Any], new: dict[str, Any], old_root: dict[str, Any], new_root: dict[str, Any], where: str, problems: list[str]
) -> list[str]:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_field in old_props.items():
        if name not in new_props:
            problems.append(f"{where}.{name}: field removed")
            continue
        old_types, new_types = _types(old_field, old_root), _types(new_props[name], new_root)
        if not old_types <= new_types and "any" not in new_types:
            problems.append(f"{where}.{name}: type changed from {sorted(old_types)} to {sorted(new_types)}")
        old_enum = set(_resolve(old_field, old_root).get("enum", []))
        new_enum = set(_resolve(new_props[name], new_root).get("enum", []))
        if old_enum and new_enum and not old_enum <= new_enum:
            problems.append(f"{where}.{name}: enum values removed {sorted(old_enum - new_enum)}")
        old_sub, new_sub = _resolve(old_field, old_root), _resolve(new_props[name], new_root)
        if "properties" in old_sub and "properties" in new_sub:
            _compare(old_sub, new_sub, old_root, new_root, f"{where}.{name}", problems)
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"{where}.{name}: newly required (old events do not have it)")
    return problems


def check(schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """Problems with the committed schemas: incompatible changes first, then files out of date."""
    problems: list[str] = []
    generated = generated_files()
    for path in sorted(schema_dir.glob("*.json")):
        if path.name == "asyncapi.json":
            continue
        committed = json.loads(path.read_text())
        if path.name not in generated:
            problems.append(f"{path.name}: event type removed from the catalogue")
            continue
        problems += compatibility_problems(committed, json.loads(generated[path.name]), committed.get("title", path.stem))
    for name, text in generated.items():
        target = schema_dir / name
        if not target.exists() or target.read_text() != text:
            problems.append(f"{name}: committed file is out of date; run `make schemas`")
    return problems


def write(schema_dir: Path = SCHEMA_DIR) -> None:
    schema_dir.mkdir(parents=True, exist_ok=True)
    for name, text in generated_files().items():
        (schema_dir / name).write_text(text)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "write":
        incompatible = [problem for problem in check() if "out of date" not in problem]
        if incompatible and "--force" not in argv:
            print("refusing to overwrite: backward-incompatible changes\n  " + "\n  ".join(incompatible))
            return 1
        write()
        return 0
    problems = check()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
