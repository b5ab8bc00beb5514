"""What a receiver would refuse in a FHIR R4 document Bundle, checked before a summary is sent: the
resources as a maintained FHIR library parses them (fhir.resources; its R4B models, whose Bundle,
Composition, Patient, EpisodeOfCare, Encounter, Observation and ServiceRequest are R4's), then the
document invariants the library does not check."""

from __future__ import annotations

from typing import Any

import orjson
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

REQUIRED: dict[str, tuple[str, ...]] = {
    "Composition": ("status", "type", "date", "author", "title"),
    "Patient": (),
    "EpisodeOfCare": ("status", "patient"),
    "Encounter": ("status", "class"),
    "Observation": ("status", "code"),
    "ServiceRequest": ("status", "intent", "subject"),
}


def fhir_document(bundle: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document as the FHIR library writes it, and what a receiver would refuse in it (empty when
    it is sound): what the library refuses (element names, types, cardinality, required elements), else
    the invariants of `document_problems`."""
    try:
        parsed = Bundle.model_validate(bundle)
    except ValidationError as refused:
        return bundle, [f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in refused.errors()]
    written: dict[str, Any] = orjson.loads(parsed.model_dump_json())
    return written, document_problems(written)


def document_problems(bundle: dict[str, Any]) -> list[str]:
    """What a receiver would refuse in a FHIR R4 document Bundle beyond what the library checks (the
    invariants bdl-7, bdl-9, bdl-10, bdl-11, required elements of the resources used here, resolvable
    references, XHTML narratives); empty when the document is sound."""
    problems: list[str] = []
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "document":
        return ["not a document Bundle"]
    identifier = bundle.get("identifier") or {}
    if not identifier.get("system") or not identifier.get("value"):
        problems.append("bdl-9: a document has an identifier with a system and a value")
    if not bundle.get("timestamp"):
        problems.append("bdl-10: a document has a timestamp")
    entries = bundle.get("entry") or []
    if not entries or (entries[0].get("resource") or {}).get("resourceType") != "Composition":
        problems.append("bdl-11: a document's first resource is a Composition")
    urls = [entry.get("fullUrl") for entry in entries]
    if None in urls or len(set(urls)) != len(urls):
        problems.append("bdl-7: every entry has a unique fullUrl")
    for number, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        if kind not in REQUIRED:
            problems.append(f"entry {number}: unexpected resource type {kind}")
            continue
        problems += [f"entry {number} ({kind}): {name} is required" for name in REQUIRED[kind] if not resource.get(name)]
    for reference in _references(bundle):
        if reference not in urls:
            problems.append(f"reference {reference} does not resolve within the document")
    for div in _narratives(bundle):
        if not div.startswith('<div xmlns="http://www.w3.org/1999/xhtml">'):
            problems.append("a narrative is not XHTML")
    return problems


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _references(value)]
    return []


def _narratives(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["div"]] if isinstance(node.get("div"), str) else []
        return found + [div for value in node.values() for div in _narratives(value)]
    if isinstance(node, list):
        return [div for value in node for div in _narratives(value)]
    return []
