"""kemu Kinesis on the wire (http.client / raw sockets, no SDK): the response envelope
(x-amzn-RequestId, x-amz-id-2, empty bodies), the authentication structure checks with their
exact messages, bad targets, methods and content types, ValidationException and
SerializationException texts, PutRecords with mixed entries and too many, the shard iterator
token format, ListShards arguments and paging, CORS, a CBOR (Java SDK style) round trip, plus
413, Expect: 100-continue, chunked bodies and malformed JSON. After every odd request kemu must
still serve a normal one.

Run: python3 tests/e2e/test_kinesis_wire.py
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kemu_harness import ACCOUNT, KemuTestCase, run_main  # noqa: E402

JSON = "application/x-amz-json-1.1"
CBOR = "application/x-amz-cbor-1.1"
PREFIX = "Kinesis_20131202."
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
IO_TIMEOUT_S = 10
MAX_BODY = 16 * 1024 * 1024
ACCESS_DENIED = ("<AccessDeniedException>\n  <Message>Unable to determine service/operation name "
                 "to be authorized</Message>\n</AccessDeniedException>\n")


# ---------------------------------------------------------------- tiny CBOR (RFC 8949 subset)

class Tag:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value

    def __eq__(self, other):
        return isinstance(other, Tag) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self):
        return f"Tag({self.tag}, {self.value!r})"


class IndefMap(dict):
    """Encoded as an indefinite-length map (0xBF ... 0xFF), as Jackson does."""


class ByteChunks(list):
    """Encoded as an indefinite-length byte string of these chunks."""


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError(n)


def cbor_encode(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, ByteChunks):
        return b"\x5f" + b"".join(cbor_encode(bytes(c)) for c in v) + b"\xff"
    if isinstance(v, (bytes, bytearray)):
        return _head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        b = v.encode()
        return _head(3, len(b)) + b
    if isinstance(v, Tag):
        return _head(6, v.tag) + cbor_encode(v.value)
    if isinstance(v, (list, tuple)):
        return _head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, IndefMap):
        return b"\xbf" + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items()) + b"\xff"
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items())
    raise TypeError(type(v))


def cbor_decode(data):
    value, pos = _decode(memoryview(bytes(data)), 0)
    if pos != len(data):
        raise ValueError(f"trailing bytes after CBOR item at {pos}")
    return value


_BREAK = object()


def _decode(b, pos):
    ib = b[pos]
    pos += 1
    major, ai = ib >> 5, ib & 31
    if ib == 0xFF:
        return _BREAK, pos
    if major == 7:
        if ai == 20:
            return False, pos
        if ai == 21:
            return True, pos
        if ai in (22, 23):
            return None, pos
        if ai == 25:
            return _half(bytes(b[pos:pos + 2])), pos + 2
        if ai == 26:
            return struct.unpack(">f", b[pos:pos + 4])[0], pos + 4
        if ai == 27:
            return struct.unpack(">d", b[pos:pos + 8])[0], pos + 8
        raise ValueError(f"simple value {ai}")
    if ai < 24:
        n = ai
    elif ai in (24, 25, 26, 27):
        size = 1 << (ai - 24)
        n = int.from_bytes(b[pos:pos + size], "big")
        pos += size
    elif ai == 31:
        n = None
    else:
        raise ValueError(f"bad additional info {ai}")
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major in (2, 3):
        if n is None:
            chunks = []
            while True:
                c, pos = _decode(b, pos)
                if c is _BREAK:
                    break
                chunks.append(c)
            return (b"".join(chunks) if major == 2 else "".join(chunks)), pos
        raw = bytes(b[pos:pos + n])
        return (raw if major == 2 else raw.decode()), pos + n
    if major == 4:
        out = []
        while n is None or len(out) < n:
            x, pos = _decode(b, pos)
            if x is _BREAK:
                break
            out.append(x)
        return out, pos
    if major == 5:
        out = {}
        while n is None or len(out) < n:
            k, pos = _decode(b, pos)
            if k is _BREAK:
                break
            out[k], pos = _decode(b, pos)
        return out, pos
    if major == 6:
        x, pos = _decode(b, pos)
        return Tag(n, x), pos
    raise ValueError(major)


def _half(two):
    h = int.from_bytes(two, "big")
    sign, exp, frac = h >> 15, (h >> 10) & 0x1F, h & 0x3FF
    if exp == 0:
        v = frac * 2.0 ** -24
    elif exp == 31:
        v = float("inf") if frac == 0 else float("nan")
    else:
        v = (1 + frac / 1024.0) * 2.0 ** (exp - 15)
    return -v if sign else v


class CborSelfTest(unittest.TestCase):
    def test_round_trip(self):
        v = {"a": [1, -1, 24, 256, 65536, 2**32, -(2**40)], "b": b"\x00\xff", "c": "ü",
             "d": None, "e": True, "f": 1.5, "g": Tag(1, 1700000000123)}
        self.assertEqual(cbor_decode(cbor_encode(v)), v)
        self.assertEqual(cbor_decode(cbor_encode(IndefMap(x=ByteChunks([b"ab", b"c"])))),
                         {"x": b"abc"})
        self.assertEqual(cbor_decode(bytes.fromhex("f93c00")), 1.0)


# ---------------------------------------------------------------- HTTP helpers

def sigv4(host, body, headers, region="us-east-1", akid="test", secret="test", path="/"):
    """Real SigV4 over content-type, host, x-amz-date, x-amz-target (kemu does not verify)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    signed = {"host": host, "x-amz-date": amz_date}
    for k, v in headers.items():
        if k.lower() in ("content-type", "x-amz-target"):
            signed[k.lower()] = v
    names = ";".join(sorted(signed))
    canonical = "\n".join(["POST", path, "", "".join(f"{k}:{signed[k]}\n" for k in sorted(signed)),
                           names, hashlib.sha256(body).hexdigest()])
    scope = f"{day}/{region}/kinesis/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (day, region, "kinesis", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"X-Amz-Date": amz_date,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={akid}/{scope}, "
                             f"SignedHeaders={names}, Signature={sig}"}


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)

    def cbor(self):
        return cbor_decode(self.body)

    def __repr__(self):
        return f"Reply({self.status}, {self.headers}, {self.body[:300]!r})"


def read_reply(sock, deadline, method="POST"):
    """Read one HTTP/1.1 response (Content-Length or chunked) from a raw socket."""
    buf = b""

    def fill():
        nonlocal buf
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            raise TimeoutError(f"no complete response before the deadline; got {buf[:200]!r}")
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed mid-response; got {buf[:200]!r}")
        buf += chunk

    while b"\r\n\r\n" not in buf:
        fill()
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    if status == 100 or status == 204 or method == "HEAD":
        return Reply(status, headers, b""), buf
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buf:
                fill()
            size_line, buf = buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                fill()
            body, buf = body + buf[:size], buf[size + 2:]
            if size == 0:
                return Reply(status, headers, body), buf
    n = int(headers.get("content-length", "0"))
    while len(buf) < n:
        fill()
    return Reply(status, headers, buf[:n]), buf[n:]


class WireBase(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.host = self.endpoint[len("http://"):]
        self.port = self.kemu.port

    def send(self, action=None, body=b"", ctype=JSON, method="POST", sign=True, headers=None,
             target=None, path="/", conn=None):
        """One request on a fresh connection (or `conn`); returns a Reply."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        h = {}
        if target is None and action is not None:
            target = PREFIX + action
        if target is not None:
            h["X-Amz-Target"] = target
        if ctype is not None:
            h["Content-Type"] = ctype
        if sign:
            h.update(sigv4(self.host, body, h, path=path.split("?")[0]))
        h.update(headers or {})
        own = conn is None
        if own:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=IO_TIMEOUT_S)
        try:
            conn.request(method, path, body=body if (body or method == "POST") else None,
                         headers=h)
            r = conn.getresponse()
            reply = Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            if own:
                conn.close()
        self.assertEqual(reply.header("content-length"), str(len(reply.body)),
                         f"Content-Length always set: {reply}")
        return reply

    def call(self, action, body, status=200):
        r = self.send(action, body)
        self.assertEqual(r.status, status, r)
        return r.json() if r.body else None

    def assert_json_error(self, reply, status, expected):
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.header("content-type"), JSON, reply)
        self.assertEqual(reply.json(), expected)
        self.assertRegex(reply.header("x-amzn-requestid") or "", UUID_RE)
        self.assertIsNone(reply.header("x-amzn-errortype"), "x-amzn-ErrorType is not sent")

    def assert_serving(self):
        r = self.send("ListStreams", {})
        self.assertEqual(r.status, 200, f"kemu stopped serving normal requests: {r}")
        self.assertTrue(self.kemu.running())

    def create(self, name, shards):
        self.call("CreateStream", {"StreamName": name, "ShardCount": shards})
        deadline = time.monotonic() + 10
        while True:
            d = self.call("DescribeStream", {"StreamName": name})["StreamDescription"]
            if d["StreamStatus"] == "ACTIVE":
                return d
            self.assertLess(time.monotonic(), deadline, f"{name} never became ACTIVE")
            time.sleep(0.05)


class EnvelopeAndAuthTest(WireBase):
    def test_list_streams_envelope(self):
        r = self.send("ListStreams", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), JSON)
        self.assertEqual(r.json(), {"StreamNames": [], "HasMoreStreams": False,
                                    "StreamSummaries": []})
        rid = r.header("x-amzn-requestid")
        self.assertRegex(rid or "", UUID_RE)
        id2 = r.header("x-amz-id-2")
        self.assertIsNotNone(id2)
        self.assertEqual(len(base64.b64decode(id2, validate=True)), 72)
        again = self.send("ListStreams", {})
        self.assertNotEqual(again.header("x-amzn-requestid"), rid, "fresh id per response")
        self.assertNotEqual(again.header("x-amz-id-2"), id2)
        # Success without output: 200, content type, empty body (not "{}").
        r = self.send("CreateStream", {"StreamName": "e", "ShardCount": 1})
        self.assertEqual((r.status, r.body, r.header("content-type")), (200, b"", JSON))
        self.assertRegex(r.header("x-amzn-requestid") or "", UUID_RE)
        # Any path; unknown members and null members are ignored.
        r = self.send("DescribeStreamSummary", {"StreamName": "e", "Bogus": 1, "StreamARN": None},
                      path="/some/where")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["StreamDescriptionSummary"]["StreamName"], "e")
        # Content type: only the part before ';', trimmed.
        r = self.send("ListStreams", {}, ctype="   application/x-amz-json-1.1   ;whatever")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["StreamNames"], ["e"])

    def test_authentication_structure(self):
        r = self.send("ListStreams", {}, sign=False)
        self.assert_json_error(r, 400, {"__type": "MissingAuthenticationTokenException",
                                        "message": "Missing Authentication Token"})
        r = self.send("ListStreams", {}, sign=False, headers={"Authorization": "X"})
        self.assert_json_error(r, 400, {
            "__type": "IncompleteSignatureException",
            "message": "Authorization header requires 'Credential' parameter. Authorization "
                       "header requires 'Signature' parameter. Authorization header requires "
                       "'SignedHeaders' parameter. Authorization header requires existence of "
                       "either a 'X-Amz-Date' or a 'Date' header. Authorization=X"})
        r = self.send("ListStreams", {}, path="/?X-Amz-Algorithm=AWS4-HMAC-SHA256")
        self.assert_json_error(r, 400, {
            "__type": "InvalidSignatureException",
            "message": "Found both 'X-Amz-Algorithm' as a query-string param and "
                       "'Authorization' as HTTP header."})
        r = self.send("ListStreams", {}, sign=False,
                      path="/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Date=")
        missing = "".join(f"AWS query-string parameters must include '{p}'. " for p in
                          ("X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"))
        self.assert_json_error(r, 400, {"__type": "IncompleteSignatureException",
                                        "message": missing + "Re-examine the query-string "
                                                             "parameters."})
        # Structurally complete header with a wrong signature: kemu does not verify.
        r = self.send("ListStreams", {}, sign=False, headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/"
                             "aws4_request, SignedHeaders=host, Signature=00",
            "X-Amz-Date": "20240101T000000Z"})
        self.assertEqual(r.status, 200, r)
        self.assert_serving()

    def test_bad_targets_methods_and_content_types(self):
        r = self.send(None, b"", ctype=None, sign=False)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("content-type"), CBOR)
        self.assertEqual(r.cbor(), {"__type": "UnknownOperationException"})
        r = self.send("ListStreams", b"", ctype=None)
        self.assertEqual((r.status, r.header("content-type")), (400, CBOR), r)
        self.assertEqual(r.cbor(), {"__type": "SerializationException"})
        self.assert_json_error(self.send("ListStreams", b""), 400,
                               {"__type": "SerializationException"})
        for target in (PREFIX + "ListStream", PREFIX + "listStreams",
                       "Kinesis_20131201.ListStreams", PREFIX + "DescribeStreamConsumerz"):
            self.assert_json_error(self.send(target=target, body={}), 400,
                                   {"__type": "UnknownOperationException"})
        for method in ("GET", "PUT", "DELETE"):
            r = self.send("ListStreams", b"", method=method, sign=False)
            self.assertEqual(r.status, 403, r)
            self.assertEqual(r.body.decode(), ACCESS_DENIED)
            self.assertIsNone(r.header("content-type"))
        r = self.send("ListStreams", {}, ctype="application/x-amz-json-1.0")
        self.assertEqual((r.status, r.body), (404, b"<UnknownOperationException/>\n"), r)
        r = self.send(target="Kinesis_20131202", body={}, ctype="text/plain")
        self.assertEqual((r.status, r.body.decode()), (403, ACCESS_DENIED), r)
        r = self.send("ListStreams", {}, ctype="application/json")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json(), {"Output": {
            "__type": "com.amazon.coral.service#UnknownOperationException"}, "Version": "1.0"})
        r = self.send("ListStreams", "hello", ctype="application/json")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json(), {"Output": {
            "__type": "com.amazon.coral.service#SerializationException"}, "Version": "1.0"})
        for not_object in ("hello", "null", "[]", "1", '"s"'):
            self.assert_json_error(self.send("ListStreams", not_object), 400,
                                   {"__type": "SerializationException"})
        self.assert_serving()

    def test_malformed_json_is_a_serialization_exception(self):
        for bad in ('{"StreamName":', '{"StreamName": "a",}', "{\x00}", '{"a": tru}',
                    b'{"StreamName": "\xff\xfe"'):
            r = self.send("DescribeStream", bad)
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.header("content-type"), JSON)
            self.assertEqual(r.json()["__type"], "SerializationException", r)
            self.assert_serving()

    def test_cors(self):
        # An origin is served only when allowed (here kemu's own); its preflight echoes it.
        origin = f"http://127.0.0.1:{self.port}"
        r = self.send("ListStreams", {}, headers={"Origin": origin})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("access-control-allow-origin"), origin)
        self.assertEqual(r.header("access-control-expose-headers"),
                         "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,"
                         "x-amzn-ErrorMessage,Date")
        r = self.send(None, b"", ctype=None, sign=False, method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Headers": "x-amz-target",
            "Access-Control-Request-Method": "POST"})
        self.assertEqual((r.status, r.body), (200, b""), r)
        self.assertEqual(r.header("access-control-allow-headers"), "x-amz-target")
        self.assertEqual(r.header("access-control-allow-methods"), "POST")
        self.assertEqual(r.header("access-control-max-age"), "172800")
        self.assertEqual(r.header("access-control-allow-origin"), origin)


class ValidationTest(WireBase):
    def test_create_stream_validation_message(self):
        r = self.send("CreateStream", {"StreamName": "", "ShardCount": 0})
        self.assert_json_error(r, 400, {
            "__type": "ValidationException",
            "message": "3 validation errors detected: Value '0' at 'shardCount' failed to "
                       "satisfy constraint: Member must have value greater than or equal to 1; "
                       "Value '' at 'streamName' failed to satisfy constraint: Member must "
                       "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at "
                       "'streamName' failed to satisfy constraint: Member must have length "
                       "greater than or equal to 1"})
        one = {"__type": "ValidationException",
               "message": "1 validation error detected: Value null at 'streamName' failed to "
                          "satisfy constraint: Member must not be null"}
        self.assert_json_error(self.send("CreateStream", {"ShardCount": 1}), 400, one)
        self.assert_json_error(self.send("CreateStream", {"StreamName": None, "ShardCount": 1}),
                               400, one)
        r = self.send("GetShardIterator", {"StreamName": "s", "ShardId": "shardId-0",
                                           "ShardIteratorType": "OLDEST"})
        self.assert_json_error(r, 400, {
            "__type": "ValidationException",
            "message": "1 validation error detected: Value 'OLDEST' at 'shardIteratorType' "
                       "failed to satisfy constraint: Member must satisfy enum value set: "
                       "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, "
                       "TRIM_HORIZON]"})
        self.assert_serving()

    def test_type_errors_use_capital_message(self):
        cases = [
            ("CreateStream", {"StreamName": True, "ShardCount": 1},
             "class java.lang.Boolean can not be converted to an String"),
            ("CreateStream", {"StreamName": "a", "ShardCount": "23"},
             "class java.lang.String can not be converted to an Integer"),
            ("PutRecord", {"StreamName": "a", "PartitionKey": "k", "Data": "23456"},
             "'23456' can not be converted to a Blob: Base64 encoded length is expected a "
             "multiple of 4 bytes but found: 5"),
            ("PutRecord", {"StreamName": "a", "PartitionKey": "k", "Data": "aGk*"},
             "'aGk*' can not be converted to a Blob: Invalid Base64 character: '*'"),
            ("CreateStream", {"StreamName": 5, "ShardCount": 1},
             "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
             "converted to an String"),
            ("PutRecords", {"StreamName": "a", "Records": 5}, "Expected list or null"),
            ("CreateStream", {"StreamName": ["a"], "ShardCount": 1},
             "Start of list found where not expected"),
        ]
        for action, body, message in cases:
            r = self.send(action, body)
            self.assert_json_error(r, 400, {"__type": "SerializationException",
                                            "Message": message})
        self.assert_serving()


class DataPlaneTest(WireBase):
    def test_put_records_mixed_and_too_many(self):
        self.create("pr", 3)
        keys = ["a", "b", "e", "f", "1", "hello"]
        records = [{"Data": base64.b64encode(k.encode()).decode(), "PartitionKey": k}
                   for k in keys]
        records.append({"Data": "", "PartitionKey": "a",
                        "ExplicitHashKey": str(2**128 - 1)})
        out = self.call("PutRecords", {"StreamName": "pr", "Records": records})
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertNotIn("EncryptionType", out)
        self.assertEqual([r["ShardId"] for r in out["Records"]],
                         [f"shardId-00000000000{i}" for i in (0, 1, 2, 1, 2, 1, 2)])
        for r in out["Records"]:
            self.assertEqual(set(r), {"SequenceNumber", "ShardId"})
            self.assertIsInstance(r["SequenceNumber"], str)
            self.assertRegex(r["SequenceNumber"], r"^[0-9]{56}$")

        bad = [{"Data": "", "PartitionKey": ""}] * 501
        r = self.send("PutRecords", {"StreamName": "pr", "Records": bad})
        self.assertEqual(r.status, 400, r)
        body = r.json()
        self.assertEqual(body["__type"], "ValidationException")
        msg = body["message"]
        self.assertTrue(msg.startswith("10 validation errors detected: Value '["), msg[:200])
        parts = msg.split("; ")
        self.assertEqual(len(parts), 10, msg[-2000:])
        self.assertTrue(parts[0].endswith(
            "]' at 'records' failed to satisfy constraint: Member must have length less than "
            "or equal to 500"), parts[0][-200:])
        for i, part in enumerate(parts[1:], start=1):
            self.assertEqual(part, f"Value '' at 'records.{i}.member.partitionKey' failed to "
                                   "satisfy constraint: Member must have length greater than or "
                                   "equal to 1")
        self.assert_serving()

    def test_iterator_token_format(self):
        self.create("it", 1)
        put = self.call("PutRecord", {"StreamName": "it", "PartitionKey": "k",
                                      "Data": base64.b64encode(b"tok").decode()})
        tokens = []
        for kind in ("TRIM_HORIZON", "LATEST"):
            tokens.append(self.call("GetShardIterator", {
                "StreamName": "it", "ShardId": "shardId-000000000000",
                "ShardIteratorType": kind})["ShardIterator"])
        tokens.append(self.call("GetShardIterator", {
            "StreamName": "it", "ShardId": "shardId-000000000000",
            "ShardIteratorType": "AT_SEQUENCE_NUMBER",
            "StartingSequenceNumber": put["SequenceNumber"]})["ShardIterator"])
        for tok in tokens:
            self.assertLessEqual(len(tok), 512)
            raw = base64.b64decode(tok, validate=True)
            self.assertEqual(base64.b64encode(raw).decode(), tok, "canonical base64")
            self.assertEqual(raw[:8], b"\x00\x00\x00\x00\x00\x00\x00\x01")
            self.assertGreaterEqual(len(raw), 152)
            self.assertEqual((len(raw) - 152) % 16, 0, len(raw))
        out = self.call("GetRecords", {"ShardIterator": f'"{tokens[0]}"'})
        self.assertEqual([r["Data"] for r in out["Records"]], [base64.b64encode(b"tok").decode()])
        rec = out["Records"][0]
        self.assertEqual(rec["SequenceNumber"], put["SequenceNumber"])
        self.assertIsInstance(rec["ApproximateArrivalTimestamp"], (int, float))
        self.assertLess(abs(rec["ApproximateArrivalTimestamp"] - time.time()), 60)
        self.assertIsInstance(out["MillisBehindLatest"], int)
        self.assertNotEqual(out["NextShardIterator"], tokens[0])
        tampered = bytearray(base64.b64decode(tokens[0]))
        tampered[40] ^= 0x55
        for bad in ("garbage", tokens[0][:-4], base64.b64encode(bytes(tampered)).decode(),
                    base64.b64encode(b"\x00" * 8 + bytes(base64.b64decode(tokens[0])[8:]))
                    .decode()):
            r = self.send("GetRecords", {"ShardIterator": bad})
            self.assert_json_error(r, 400, {"__type": "InvalidArgumentException",
                                            "message": "Invalid ShardIterator."})
        self.assert_serving()

    def test_list_shards_arguments_and_paging(self):
        self.create("ls", 4)
        r = self.send("ListShards", {})
        self.assert_json_error(r, 400, {"__type": "InvalidArgumentException",
                                        "message": "Either NextToken or StreamName should be "
                                                   "provided."})
        first = self.call("ListShards", {"StreamName": "ls", "MaxResults": 1})
        self.assertEqual([s["ShardId"] for s in first["Shards"]], ["shardId-000000000000"])
        token = first["NextToken"]
        r = self.send("ListShards", {"StreamName": "ls", "NextToken": token})
        self.assert_json_error(r, 400, {"__type": "InvalidArgumentException",
                                        "message": "NextToken and StreamName cannot be "
                                                   "provided together."})
        seen = [s["ShardId"] for s in first["Shards"]]
        page = first
        for _ in range(10):
            page = self.call("ListShards", {"NextToken": page["NextToken"], "MaxResults": 1})
            self.assertLessEqual(len(page["Shards"]), 1)
            seen += [s["ShardId"] for s in page["Shards"]]
            if "NextToken" not in page:
                break
        self.assertEqual(seen, [f"shardId-00000000000{i}" for i in range(4)])
        self.assertNotIn("NextToken", page)
        for s in first["Shards"]:
            self.assertEqual(set(s), {"ShardId", "HashKeyRange", "SequenceNumberRange"})
        self.assert_serving()


class CborTest(WireBase):
    def cbor_call(self, action, body, status=200, indefinite=True):
        payload = cbor_encode(IndefMap(body) if indefinite else body)
        r = self.send(action, payload, ctype=CBOR)
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("content-type"), CBOR, r)
        return r.cbor() if r.body else None

    def test_cbor_round_trip(self):
        self.assertIsNone(self.cbor_call("CreateStream", {"StreamName": "cb", "ShardCount": 1}))
        deadline = time.monotonic() + 10
        while self.cbor_call("DescribeStream", {"StreamName": "cb"})[
                "StreamDescription"]["StreamStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        before_ms = int(time.time() * 1000) - 60_000
        payloads = [b"\x00cbor\xff", b"", bytes(range(256))]
        seqs = []
        for i, data in enumerate(payloads):
            value = ByteChunks([data[:3], data[3:]]) if i == 2 else data
            out = self.cbor_call("PutRecord", {"StreamName": "cb", "PartitionKey": f"k{i}",
                                               "Data": value})
            self.assertEqual(out["ShardId"], "shardId-000000000000")
            self.assertIsInstance(out["SequenceNumber"], str)
            self.assertRegex(out["SequenceNumber"], r"^[0-9]{56}$")
            seqs.append(out["SequenceNumber"])
        out = self.cbor_call("PutRecords", {"StreamName": "cb", "Records": [
            IndefMap({"Data": b"batched", "PartitionKey": "p"})]})
        self.assertEqual(out["FailedRecordCount"], 0)
        seqs.append(out["Records"][0]["SequenceNumber"])
        payloads.append(b"batched")

        it = self.cbor_call("GetShardIterator", {
            "StreamName": "cb", "ShardId": "shardId-000000000000",
            "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": Tag(1, before_ms)})["ShardIterator"]
        self.assertIsInstance(it, str)
        out = self.cbor_call("GetRecords", {"ShardIterator": it, "Limit": 100})
        recs = out["Records"]
        self.assertEqual([r["Data"] for r in recs], payloads)
        for r in recs:
            self.assertIsInstance(r["Data"], bytes, "CBOR responses carry Data as a byte string")
        self.assertEqual([r["SequenceNumber"] for r in recs], seqs)
        self.assertEqual([r["PartitionKey"] for r in recs], ["k0", "k1", "k2", "p"])
        now_ms = time.time() * 1000
        for r in recs:
            ts = r["ApproximateArrivalTimestamp"]
            if isinstance(ts, Tag):
                self.assertEqual(ts.tag, 1)
                ts = ts.value
            self.assertIsInstance(ts, int, "CBOR timestamps are integer epoch milliseconds")
            self.assertLess(abs(ts - now_ms), 60_000, ts)
        self.assertIsInstance(out["MillisBehindLatest"], int)
        self.assertIsInstance(out["NextShardIterator"], str)
        # An untagged integer timestamp in ms is accepted too; after now -> the future error.
        future = int(time.time() * 1000) + 3_600_000
        r = self.send("GetShardIterator", cbor_encode({
            "StreamName": "cb", "ShardId": "shardId-000000000000",
            "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": future}), ctype=CBOR)
        self.assertEqual((r.status, r.header("content-type")), (400, CBOR), r)
        err = r.cbor()
        self.assertEqual(err["__type"], "InvalidArgumentException")
        self.assertTrue(err["message"].startswith(
            "The timestampInMillis parameter cannot be greater than the "
            f"currentTimestampInMillis. timestampInMillis: {future}, "), err)

        # Errors are CBOR maps with text keys __type / message.
        r = self.send("DescribeStream", cbor_encode(IndefMap({"StreamName": "nope"})), ctype=CBOR)
        self.assertEqual((r.status, r.header("content-type")), (400, CBOR), r)
        self.assertEqual(r.cbor(), {"__type": "ResourceNotFoundException",
                                    "message": f"Stream nope under account {ACCOUNT} not found."})
        r = self.send("CreateStream", cbor_encode({"StreamName": "", "ShardCount": 1}),
                      ctype=CBOR)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.cbor()["__type"], "ValidationException")
        for not_map in (cbor_encode([1]), cbor_encode("x"), b"\xff\x00garbage"):
            r = self.send("DescribeStream", not_map, ctype=CBOR)
            self.assertEqual((r.status, r.header("content-type")), (400, CBOR), r)
            self.assertEqual(r.cbor()["__type"], "SerializationException")
        self.assert_serving()


class HttpTransportTest(WireBase):
    def test_body_over_16_mib_is_413(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=IO_TIMEOUT_S)
        try:
            size = MAX_BODY + 1
            head = (f"POST / HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: {JSON}\r\n"
                    f"X-Amz-Target: {PREFIX}PutRecord\r\nContent-Length: {size}\r\n\r\n")
            sock.sendall(head.encode())
            chunk = b"a" * 65536
            sent = 0
            deadline = time.monotonic() + 30
            reply = None
            try:
                while sent < size:
                    left = max(0.0, deadline - time.monotonic())
                    r, w, _ = select.select([sock], [sock], [], left)
                    if r:
                        break  # kemu answered early
                    self.assertLess(time.monotonic(), deadline, "kemu stalled reading the body")
                    if w:
                        sent += sock.send(chunk[:size - sent])
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                reply, _ = read_reply(sock, time.monotonic() + IO_TIMEOUT_S)
            except ConnectionError as e:
                self.fail(f"kemu closed the connection without answering 413 "
                          f"(sent {sent} of {size} body bytes): {e}")
        finally:
            sock.close()
        self.assertEqual(reply.status, 413, reply)
        self.assertEqual(reply.body, b"")
        self.assert_serving()

    def test_expect_100_continue(self):
        body = json.dumps({"StreamName": "ec", "ShardCount": 1}).encode()
        h = {"Content-Type": JSON, "X-Amz-Target": PREFIX + "CreateStream"}
        h.update(sigv4(self.host, body, h))
        head = f"POST / HTTP/1.1\r\nHost: {self.host}\r\nExpect: 100-continue\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in h.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=IO_TIMEOUT_S)
        try:
            sock.sendall(head.encode())
            interim, rest = read_reply(sock, time.monotonic() + 3)
            self.assertEqual(interim.status, 100, "kemu must answer 100 Continue before the body")
            self.assertEqual(rest, b"")
            sock.sendall(body)
            final, _ = read_reply(sock, time.monotonic() + IO_TIMEOUT_S)
            self.assertEqual((final.status, final.body), (200, b""), final)
            # Same connection stays usable (keep-alive) for a second request.
            body2 = b'{"StreamName": "ec"}'
            h2 = {"Content-Type": JSON, "X-Amz-Target": PREFIX + "DescribeStreamSummary"}
            h2.update(sigv4(self.host, body2, h2))
            req = f"POST / HTTP/1.1\r\nHost: {self.host}\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in h2.items()) + f"Content-Length: {len(body2)}\r\n\r\n"
            sock.sendall(req.encode() + body2)
            second, _ = read_reply(sock, time.monotonic() + IO_TIMEOUT_S)
            self.assertEqual(second.status, 200, second)
            self.assertEqual(json.loads(second.body)["StreamDescriptionSummary"]["StreamName"],
                             "ec")
        finally:
            sock.close()
        self.assert_serving()

    def test_chunked_body_and_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=IO_TIMEOUT_S)
        try:
            r = self.send("CreateStream", {"StreamName": "ka", "ShardCount": 1}, conn=conn)
            self.assertEqual(r.status, 200, r)
            for i in range(5):  # many requests, one connection
                r = self.send("PutRecord", {"StreamName": "ka", "PartitionKey": "k",
                                            "Data": base64.b64encode(b"r%d" % i).decode()},
                              conn=conn)
                self.assertEqual(r.status, 200, r)
            body = json.dumps({"StreamName": "ka", "PartitionKey": "k",
                               "Data": base64.b64encode(b"chunked").decode()}).encode()
            h = {"Content-Type": JSON, "X-Amz-Target": PREFIX + "PutRecord"}
            h.update(sigv4(self.host, body, h))
            conn.request("POST", "/", body=iter([body[:7], body[7:20], body[20:]]), headers=h,
                         encode_chunked=True)
            resp = conn.getresponse()
            out = resp.read()
            self.assertEqual(resp.status, 200, out)
            self.assertEqual(json.loads(out)["ShardId"], "shardId-000000000000")
            it = self.call("GetShardIterator", {"StreamName": "ka",
                                                "ShardId": "shardId-000000000000",
                                                "ShardIteratorType": "TRIM_HORIZON"})
            r = self.send("GetRecords", it, conn=conn)
            datas = [base64.b64decode(x["Data"]) for x in r.json()["Records"]]
            self.assertEqual(datas, [b"r0", b"r1", b"r2", b"r3", b"r4", b"chunked"])
        finally:
            conn.close()


if __name__ == "__main__":
    run_main()
