"""drf-spectacular post-processing: answers every API operation can give, whatever its view."""

ALWAYS = {
    "404": "No such object in the caller's organization (another organization's id answers the same), or no such "
    "address (e.g. a non-numeric id).",
    "414": "The URL (path and query) is longer than the API accepts; send long input in a body.",
    "503": "A service the API needs (the database or Redis) is not answering; retry after the Retry-After header's "
    "seconds. Nothing was done.",
}


# Answers of a fixed, short shape that a oneOf tells apart from the full one by its having no
# other property (a full guest has an id and is_masked too).
CLOSED_OBJECTS = ("GuestMasked",)


def add_common_responses(result, generator, request, public):
    for name in CLOSED_OBJECTS:
        component = result.get("components", {}).get("schemas", {}).get(name)
        if component is not None:
            component["additionalProperties"] = False
    for path_item in result.get("paths", {}).values():
        for _method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, text in ALWAYS.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        "description": text,
                    },
                )
    return result
