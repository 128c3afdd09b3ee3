#!/usr/bin/python3
# tests/webd/oascheck.py - live API answers against the OpenAPI document:
#	oascheck.py OPENAPI.json FILE=SCHEMA ...
# checks the JSON in each FILE against components/schemas/SCHEMA: types
# (one or a list), required members, no member the document does not
# name where additionalProperties is false, items, enums.  Exits 0 when
# every FILE matches, else 1 with the first mismatch on stderr.
# SPDX-License-Identifier: ISC
import json
import sys

doc = json.load(open(sys.argv[1]))
schemas = doc["components"]["schemas"]
PYTYPES = {"object": dict, "array": list, "string": str, "integer": int,
           "boolean": bool, "null": type(None)}


def resolve(x):
    while "$ref" in x:
        x = schemas[x["$ref"].split("/")[-1]]
    return x


def check(obj, schema, where):
    schema = resolve(schema)
    t = schema.get("type")
    types = t if isinstance(t, list) else [t] if t else []
    if types:
        assert any(isinstance(obj, PYTYPES[x]) and
                   not (x == "integer" and isinstance(obj, bool))
                   for x in types), (where, obj, types)
    if isinstance(obj, dict) and "properties" in schema:
        for k in schema.get("required", []):
            assert k in obj, (where, "missing", k)
        if schema.get("additionalProperties") is False:
            extra = set(obj) - set(schema["properties"])
            assert not extra, (where, "not in the document", extra)
        for k, p in schema["properties"].items():
            if k in obj:
                check(obj[k], p, where + "." + k)
    if isinstance(obj, list) and "items" in schema:
        for i, e in enumerate(obj):
            check(e, schema["items"], "%s[%d]" % (where, i))
    if "enum" in schema:
        assert obj in schema["enum"], (where, obj)


try:
    for arg in sys.argv[2:]:
        f, name = arg.split("=", 1)
        check(json.load(open(f)), {"$ref": "#/components/schemas/" + name}, f)
except AssertionError as e:
    print("mismatch:", e, file=sys.stderr)
    sys.exit(1)
