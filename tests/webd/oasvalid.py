#!/usr/bin/python3
# tests/webd/oasvalid.py - the OpenAPI 3.1 document itself, checked with
# what Debian 12 has (python3-jsonschema; openapi-spec-validator is not
# packaged there):
#	oasvalid.py OPENAPI.json
# "openapi" is 3.1.x, info has a title and a version; every "$ref"
# resolves inside the document; every path starts with "/" and each of
# its {name}s is a required path parameter of each operation; every
# operation has a unique operationId and responses, each response (code
# "default" or three digits) a description; every parameter a name, an
# "in" of path, query, header or cookie, and a schema; every schema is
# valid JSON Schema 2020-12 (the dialect of OpenAPI 3.1).  Exits 0, or 1
# with each fault on stderr.
# SPDX-License-Identifier: ISC
import json
import re
import sys

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

doc = json.load(open(sys.argv[1]))
faults = []
METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
           "trace")


def fault(*a):
    faults.append(" ".join(str(x) for x in a))


def pointer(ref):
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def refs(node, where):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and (not r.startswith("#/") or
                                   pointer(r) is None):
            fault(where, "$ref does not resolve:", r)
        for k, v in node.items():
            refs(v, where + "/" + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            refs(v, "%s/%d" % (where, i))


def deref(node):
    while isinstance(node, dict) and "$ref" in node:
        node = pointer(node["$ref"]) or {}
    return node


def schema_ok(s, where):
    try:
        Draft202012Validator.check_schema(s)
    except SchemaError as e:
        fault(where, "not JSON Schema 2020-12:", e.message)


if not re.match(r"3\.1\.\d+$", str(doc.get("openapi"))):
    fault("openapi is not 3.1.x:", doc.get("openapi"))
info = doc.get("info", {})
if not isinstance(info.get("title"), str) or \
        not isinstance(info.get("version"), str):
    fault("info: title and version are strings")
refs(doc, "#")
for name, s in doc.get("components", {}).get("schemas", {}).items():
    schema_ok(s, "#/components/schemas/" + name)
ids = set()
for path, item in doc.get("paths", {}).items():
    if not path.startswith("/"):
        fault(path, "does not start with /")
    named = set(re.findall(r"\{([^}]+)\}", path))
    shared = item.get("parameters", [])
    for method in METHODS:
        op = item.get(method)
        if op is None:
            continue
        where = method.upper() + " " + path
        oid = op.get("operationId")
        if not isinstance(oid, str) or oid in ids:
            fault(where, "operationId missing or not unique:", oid)
        ids.add(oid)
        inpath = set()
        for p in map(deref, shared + op.get("parameters", [])):
            if not isinstance(p.get("name"), str) or p.get("in") not in \
                    ("path", "query", "header", "cookie"):
                fault(where, "a parameter without name or in:", p)
                continue
            if "schema" not in p and "content" not in p:
                fault(where, "parameter", p["name"], "has no schema")
            else:
                schema_ok(p.get("schema", {}), where + " " + p["name"])
            if p["in"] == "path":
                if p.get("required") is not True:
                    fault(where, "path parameter", p["name"],
                          "is not required")
                inpath.add(p["name"])
        if inpath != named:
            fault(where, "path parameters", sorted(inpath), "are not",
                  sorted(named))
        responses = op.get("responses")
        if not isinstance(responses, dict) or not responses:
            fault(where, "no responses")
            continue
        for code, r in responses.items():
            if code != "default" and not re.match(r"[1-5][0-9X]{2}$", code):
                fault(where, "response code", code)
            r = deref(r)
            if not isinstance(r.get("description"), str):
                fault(where, code, "has no description")
            for mt, c in r.get("content", {}).items():
                if "schema" in c:
                    schema_ok(c["schema"], "%s %s %s" % (where, code, mt))
        body = deref(op.get("requestBody", {}))
        for mt, c in body.get("content", {}).items():
            if "schema" in c:
                schema_ok(c["schema"], where + " body " + mt)
for f in faults:
    print("openapi:", f, file=sys.stderr)
sys.exit(1 if faults else 0)
