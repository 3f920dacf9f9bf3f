#!/usr/bin/env python3
"""Interop vectors between Vestnik's codec (avsc) and an independent Avro implementation (python avro).

  avro_vectors.py write [--out DIR]      encode tests/vectors/fixtures with python avro into single-object
                                         vectors (default tests/vectors/python)
  avro_vectors.py check [--vectors DIR]  decode vectors our codec wrote (default tests/vectors/node) and
                                         compare them with the fixtures; exit 1 on any mismatch
  avro_vectors.py fingerprints           print each schema's canonical form and CRC-64-AVRO fingerprint

Python avro 1.11 has no single-object helpers and no CRC-64-AVRO, so this script frames the bytes
itself (C3 01 + fingerprint, little-endian) and computes the fingerprint with its own implementation
of the spec's algorithm, over python avro's canonical form. That canonical form leaves logical-typed
primitives as {"type":"long"} (the spec's [PRIMITIVES] rule says "long"), so the rule is re-applied here.
Fixtures keep timestamps as epoch milliseconds and bytes as {"$bytes": base64}; python avro wants
aware datetimes and bytes, so values are converted by walking the schema.
"""
import argparse
import base64
import datetime
import io
import json
import os
import sys

try:
    import avro.io
    import avro.schema
except ImportError:
    sys.stderr.write("avro_vectors: python avro is missing: install the Debian package python3-avro\n")
    sys.exit(2)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMAS = os.path.join(ROOT, "schemas")
VECTORS = os.path.join(ROOT, "tests", "vectors")
SCHEMA_NAMES = [
    "events.user-registered", "events.episode-released", "events.notification-requested",
    "events.user-activity", "events.mailing-started", "events.mailing-resend-requested", "state.clients", "state.mailings",
    "state.templates", "deliveries.command", "deliveries.command-page", "deliveries.status", "deliveries.status-page", "deliveries.dead-letter",
]
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MILLISECOND = datetime.timedelta(milliseconds=1)

# --- CRC-64-AVRO, written from the spec, independent of the TypeScript one -----------------------
CRC_EMPTY = 0xC15D213AA4D7A795


def _crc_table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (CRC_EMPTY & -(fp & 1))
        table.append(fp & 0xFFFFFFFFFFFFFFFF)
    return table


CRC_TABLE = _crc_table()


def crc64_avro(data):
    fp = CRC_EMPTY
    for byte in data:
        fp = (fp >> 8) ^ CRC_TABLE[(fp ^ byte) & 0xFF]
    return fp


def canonical_form(schema):
    """python avro's canonical form with the [PRIMITIVES] rule applied to logical types."""
    def collapse(node):
        if isinstance(node, dict):
            if set(node) == {"type"} and node["type"] in PRIMITIVES:
                return node["type"]
            return {key: collapse(value) for key, value in node.items()}
        if isinstance(node, list):
            return [collapse(item) for item in node]
        return node
    return json.dumps(collapse(json.loads(schema.canonical_form)), separators=(",", ":"), ensure_ascii=False)


def fingerprint_bytes(schema):
    return crc64_avro(canonical_form(schema).encode("utf-8")).to_bytes(8, "little")


# --- fixture values <-> python avro values ---------------------------------------------------------
def is_timestamp_millis(schema):
    return getattr(schema, "logical_type", None) == "timestamp-millis"


def to_python(schema, value):
    kind = schema.type
    if is_timestamp_millis(schema):
        return EPOCH + value * MILLISECOND
    if kind == "record":
        return {field.name: to_python(field.type, value[field.name]) for field in schema.fields}
    if kind == "array":
        return [to_python(schema.items, item) for item in value]
    if kind == "map":
        return {key: to_python(schema.values, item) for key, item in value.items()}
    if kind == "union":
        for branch in schema.schemas:
            try:
                converted = None if value is None else to_python(branch, value)
            except (TypeError, KeyError, AttributeError):
                continue
            if avro.io.validate(branch, converted):
                return converted
        raise ValueError("no union branch of %s fits %r" % (schema, value))
    if kind == "bytes":
        return base64.b64decode(value["$bytes"])
    return value


def from_python(schema, value):
    kind = schema.type
    if is_timestamp_millis(schema):
        return (value - EPOCH) // MILLISECOND
    if kind == "record":
        return {field.name: from_python(field.type, value[field.name]) for field in schema.fields}
    if kind == "array":
        return [from_python(schema.items, item) for item in value]
    if kind == "map":
        return {key: from_python(schema.values, item) for key, item in value.items()}
    if kind == "union":
        branch = next(b for b in schema.schemas if avro.io.validate(b, value))
        return from_python(branch, value)
    if kind == "bytes":
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return value


# --- commands ----------------------------------------------------------------------------------------
def load_schema(name):
    with open(os.path.join(SCHEMAS, name + ".avsc"), encoding="utf-8") as handle:
        return avro.schema.parse(handle.read())


def load_fixtures(name):
    with open(os.path.join(VECTORS, "fixtures", name + ".json"), encoding="utf-8") as handle:
        return json.load(handle)


def encode_single_object(schema, value):
    buffer = io.BytesIO()
    avro.io.DatumWriter(schema).write(to_python(schema, value), avro.io.BinaryEncoder(buffer))
    return b"\xc3\x01" + fingerprint_bytes(schema) + buffer.getvalue()


def decode_single_object(schema, data):
    if data[:2] != b"\xc3\x01":
        raise ValueError("no single-object magic C3 01")
    if data[2:10] != fingerprint_bytes(schema):
        raise ValueError("fingerprint %s, python computes %s" % (data[2:10].hex(), fingerprint_bytes(schema).hex()))
    body = io.BytesIO(data[10:])
    value = avro.io.DatumReader(schema, schema).read(avro.io.BinaryDecoder(body))
    if body.tell() != len(data) - 10:
        raise ValueError("%d trailing bytes after the record" % (len(data) - 10 - body.tell()))
    return from_python(schema, value)


def write(out):
    os.makedirs(out, exist_ok=True)
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        cases = {case: encode_single_object(schema, value).hex() for case, value in load_fixtures(name).items()}
        vectors = {"schema": name, "writer": "python avro %s" % avro_version(), "fingerprint": fingerprint_bytes(schema).hex(), "cases": cases}
        with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(vectors, indent=2) + "\n")
    print("avro_vectors: wrote %d schemas to %s" % (len(SCHEMA_NAMES), out))
    return 0


def check(directory):
    ok, failures = 0, []
    for name in SCHEMA_NAMES:
        schema, fixtures = load_schema(name), load_fixtures(name)
        with open(os.path.join(directory, name + ".json"), encoding="utf-8") as handle:
            vectors = json.load(handle)
        if set(vectors["cases"]) != set(fixtures):
            failures.append("%s: cases %s, fixtures have %s" % (name, sorted(vectors["cases"]), sorted(fixtures)))
        for case, hex_bytes in vectors["cases"].items():
            try:
                decoded = decode_single_object(schema, bytes.fromhex(hex_bytes))
            except Exception as error:  # report every broken vector, not just the first
                failures.append("%s/%s: does not decode: %s" % (name, case, error))
                continue
            if decoded != fixtures.get(case):
                failures.append("%s/%s: decoded %s, fixture %s" % (name, case, json.dumps(decoded, ensure_ascii=False), json.dumps(fixtures.get(case), ensure_ascii=False)))
            else:
                ok += 1
    for failure in failures:
        print("MISMATCH " + failure)
    print("avro_vectors: %d cases decoded equal to the fixtures, %d mismatched (python avro %s)" % (ok, len(failures), avro_version()))
    return 1 if failures else 0


def fingerprints():
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        print("%s %s %s" % (name, fingerprint_bytes(schema).hex(), canonical_form(schema)))
    return 0


def avro_version():
    try:
        with open(os.path.join(os.path.dirname(avro.__file__), "VERSION.txt"), encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("write").add_argument("--out", default=os.path.join(VECTORS, "python"))
    commands.add_parser("check").add_argument("--vectors", default=os.path.join(VECTORS, "node"))
    commands.add_parser("fingerprints")
    args = parser.parse_args()
    if args.command == "write":
        return write(args.out)
    if args.command == "check":
        return check(args.vectors)
    return fingerprints()


if __name__ == "__main__":
    sys.exit(main())
