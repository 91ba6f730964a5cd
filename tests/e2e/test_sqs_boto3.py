"""kemu SQS through boto3: must pass under both Pythons CTest runs it with, the one with boto3
1.26 / botocore 1.29 (Debian 12's, which speaks the query protocol with XML; KEMU_SYSTEM_PYTHON)
and the PATH's python3 with boto3 1.43 (JSON 1.0 protocol). docs/aws/sqs.md describes what AWS
does.

Both protocols give the same `Error.Code`: the legacy query code (from `<Code>` in XML, from the
`x-amzn-query-error` header "Code;Sender" in JSON); only the queue-missing message differs.

Run: python3 tests/e2e/test_sqs_boto3.py   (KEMU_BIN=... to pick the binary)
"""

import hashlib
import json
import os
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402

from kemu_harness import (ACCOUNT, REGION, KemuTestCase, run_main, sqs_client,  # noqa: E402
                          wait_until)

NON_EXISTENT = "AWS.SimpleQueueService.NonExistentQueue"
IPV = "InvalidParameterValue"  # JSON __type suffix: InvalidParameterValueException
MISSING_JSON = "The specified queue does not exist."
MISSING_QUERY = "The specified queue does not exist for this wsdl version."
DEFAULT_ATTRIBUTES = {  # what a queue created without attributes reports
    "VisibilityTimeout": "30",
    "MessageRetentionPeriod": "345600",
    "MaximumMessageSize": "1048576",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
}


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def md5_of_attributes(attrs):
    """MD5OfMessageAttributes as SQS computes it, from what the test sent (boto3 input shape):
    attributes sorted by name; for each, length-prefixed (4 bytes, big-endian) name and DataType,
    one transport byte (1 String/Number, 2 Binary), the length-prefixed value; MD5 hex of it all."""
    buf = b""
    for name in sorted(attrs):
        a = attrs[name]
        dtype = a["DataType"]
        buf += struct.pack(">I", len(name.encode())) + name.encode()
        buf += struct.pack(">I", len(dtype.encode())) + dtype.encode()
        if dtype.startswith("Binary"):
            value = a["BinaryValue"]
            buf += b"\x02" + struct.pack(">I", len(value)) + value
        else:
            value = a["StringValue"].encode()
            buf += b"\x01" + struct.pack(">I", len(value)) + value
    return hashlib.md5(buf).hexdigest()


ATTRS = {
    "str": {"DataType": "String", "StringValue": "héllo <wörld> & 'quotes'"},
    "num": {"DataType": "Number", "StringValue": "-12.50"},
    "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff raw"},
    "custom": {"DataType": "Number.float", "StringValue": "3.14"},
    "Alpha": {"DataType": "String.json", "StringValue": '{"k": [1, 2]}'},
}


class SqsBase(KemuTestCase):
    kemu_args = ("--sqs-purge-cooldown-ms", "60000")

    def setUp(self):
        super().setUp()
        self.c = self.client()
        self.protocol = self.c.meta.service_model.protocol  # "json" (1.43) or "query" (1.26)

    def client(self):
        c = sqs_client(self.endpoint)
        self.addCleanup(c.close)
        return c

    def url(self, name):
        return f"{self.endpoint}/{ACCOUNT}/{name}"

    def arn(self, name):
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def create(self, name, **kwargs):
        url = self.c.create_queue(QueueName=name, **kwargs)["QueueUrl"]
        self.assertEqual(url, self.url(name))
        return url

    def attrs(self, url, *names):
        return self.c.get_queue_attributes(QueueUrl=url,
                                           AttributeNames=list(names) or ["All"])["Attributes"]

    def counts(self, url):
        a = self.attrs(url, "ApproximateNumberOfMessages",
                       "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed")
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))

    def receive(self, url, **kwargs):
        return self.c.receive_message(QueueUrl=url, **kwargs).get("Messages", [])

    def missing_message(self):
        return MISSING_JSON if self.protocol == "json" else MISSING_QUERY

    def assert_error(self, code, message, fn, status=400, exc=None, shape=None, **kwargs):
        """The call fails with Error.Code `code` (the legacy query code in both protocols),
        Error.Type Sender, the exact message (None: not checked), the HTTP status, and, when
        given, the modelled exception class `exc`. Under JSON, botocore 1.43 also reports the
        `__type` suffix as Error.QueryErrorCode: `shape`, default `exc`."""
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        e = cm.exception
        err = e.response["Error"]
        self.assertEqual(err.get("Code"), code, f"{fn.__name__}: {e}")
        self.assertEqual(err.get("Type"), "Sender", f"{fn.__name__}: {err}")
        if message is not None:
            self.assertEqual(err.get("Message"), message, f"{fn.__name__}: {e}")
        self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], status)
        if exc is not None:
            self.assertIsInstance(e, getattr(self.c.exceptions, exc))
        shape = shape or exc or ("InvalidParameterValueException" if code == IPV else None)
        if self.protocol == "json" and shape is not None:
            self.assertEqual(err.get("QueryErrorCode"), shape, f"{fn.__name__}: {err}")
        return e


class QueueLifecycleTest(SqsBase):
    def test_create_with_attributes_and_tags_then_get_url(self):
        before = int(time.time())
        url = self.create("lifecycle", Attributes={"VisibilityTimeout": "45",
                                                   "DelaySeconds": "0",
                                                   "MessageRetentionPeriod": "86400"},
                          tags={"env": "dev", "team": "kemu"})
        after = int(time.time())
        self.assertEqual(self.c.get_queue_url(QueueName="lifecycle")["QueueUrl"], url)
        a = self.attrs(url)
        self.assertEqual(a["VisibilityTimeout"], "45")
        self.assertEqual(a["MessageRetentionPeriod"], "86400")
        self.assertEqual(a["MaximumMessageSize"], "1048576")
        self.assertEqual(a["DelaySeconds"], "0")
        self.assertEqual(a["ReceiveMessageWaitTimeSeconds"], "0")
        self.assertEqual(a["QueueArn"], self.arn("lifecycle"))
        self.assertEqual(a["ApproximateNumberOfMessages"], "0")
        self.assertEqual(a["ApproximateNumberOfMessagesNotVisible"], "0")
        self.assertEqual(a["ApproximateNumberOfMessagesDelayed"], "0")
        created = int(a["CreatedTimestamp"])  # epoch seconds, not ms
        self.assertTrue(before - 1 <= created <= after + 1, (before, created, after))
        self.assertTrue(created <= int(a["LastModifiedTimestamp"]) <= after + 1)
        for v in a.values():
            self.assertIsInstance(v, str)
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url)["Tags"],
                         {"env": "dev", "team": "kemu"})

        # Same name, same attributes: idempotent, same URL.
        self.assertEqual(self.create("lifecycle", Attributes={"VisibilityTimeout": "45"}), url)

    def test_defaults_and_named_attributes(self):
        url = self.create("defaults")
        a = self.attrs(url)
        for k, v in DEFAULT_ATTRIBUTES.items():
            self.assertEqual(a.get(k), v, k)
        named = self.attrs(url, "QueueArn", "VisibilityTimeout")
        self.assertEqual(named, {"QueueArn": self.arn("defaults"), "VisibilityTimeout": "30"})
        # No names asked for: no attributes.
        out = self.c.get_queue_attributes(QueueUrl=url)
        self.assertEqual(out.get("Attributes", {}), {})

    def test_set_queue_attributes(self):
        url = self.create("settable")
        created = self.attrs(url, "CreatedTimestamp")["CreatedTimestamp"]
        dlq = self.create("settable-dlq")
        policy = json.dumps({"deadLetterTargetArn": self.arn("settable-dlq"),
                             "maxReceiveCount": 3})
        self.c.set_queue_attributes(QueueUrl=url, Attributes={
            "VisibilityTimeout": "7", "DelaySeconds": "3", "MaximumMessageSize": "2048",
            "ReceiveMessageWaitTimeSeconds": "2", "RedrivePolicy": policy})
        a = self.attrs(url)
        self.assertEqual(a["VisibilityTimeout"], "7")
        self.assertEqual(a["DelaySeconds"], "3")
        self.assertEqual(a["MaximumMessageSize"], "2048")
        self.assertEqual(a["ReceiveMessageWaitTimeSeconds"], "2")
        self.assertEqual(json.loads(a["RedrivePolicy"]),
                         {"deadLetterTargetArn": self.arn("settable-dlq"), "maxReceiveCount": 3})
        self.assertEqual(a["CreatedTimestamp"], created)
        self.assertGreaterEqual(int(a["LastModifiedTimestamp"]), int(created))
        self.assertEqual(self.attrs(dlq, "QueueArn"), {"QueueArn": self.arn("settable-dlq")})

    def test_tags(self):
        url = self.create("tagged")
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url).get("Tags", {}), {})
        self.c.tag_queue(QueueUrl=url, Tags={"a": "1", "b": "2"})
        self.c.tag_queue(QueueUrl=url, Tags={"b": "3", "c": "4"})
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url)["Tags"],
                         {"a": "1", "b": "3", "c": "4"})
        self.c.untag_queue(QueueUrl=url, TagKeys=["a", "c", "nope"])
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url)["Tags"], {"b": "3"})

    def test_list_queues_prefix_and_paging(self):
        self.assertNotIn("QueueUrls", self.c.list_queues())  # omitted when none
        names = ["page-a", "page-b", "page-c", "page-d", "page-e"]
        for n in names + ["other-1", "other-2"]:
            self.create(n)
        all_urls = self.c.list_queues()["QueueUrls"]
        self.assertEqual(sorted(all_urls), sorted(self.url(n) for n in names +
                                                  ["other-1", "other-2"]))
        self.assertNotIn("NextToken", self.c.list_queues())
        out = self.c.list_queues(QueueNamePrefix="page-")
        self.assertEqual(sorted(out["QueueUrls"]), [self.url(n) for n in names])
        self.assertNotIn("NextToken", out)
        self.assertNotIn("QueueUrls", self.c.list_queues(QueueNamePrefix="zzz"))

        seen, token, pages = [], None, 0
        while True:
            kwargs = {"QueueNamePrefix": "page-", "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            out = self.c.list_queues(**kwargs)
            pages += 1
            self.assertLessEqual(len(out["QueueUrls"]), 2)
            seen += out["QueueUrls"]
            token = out.get("NextToken")
            if not token:
                break
            self.assertLess(pages, 10, "paging does not end")
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), [self.url(n) for n in names])
        self.assertEqual(len(seen), len(set(seen)))
        # Exactly MaxResults left: the last page carries no NextToken.
        out = self.c.list_queues(QueueNamePrefix="other-", MaxResults=2)
        self.assertEqual(len(out["QueueUrls"]), 2)
        self.assertNotIn("NextToken", out)

    def test_delete_queue(self):
        url = self.create("doomed")
        self.c.send_message(QueueUrl=url, MessageBody="x")
        self.c.delete_queue(QueueUrl=url)
        self.assert_error(NON_EXISTENT, self.missing_message(), self.c.get_queue_url,
                          exc="QueueDoesNotExist", QueueName="doomed")
        self.assertNotIn("QueueUrls", self.c.list_queues(QueueNamePrefix="doomed"))
        # With the default --sqs-delete-cooldown-ms 0 the name is free again, and empty.
        url = self.create("doomed")
        self.assertEqual(self.counts(url), (0, 0, 0))


class MessageTest(SqsBase):
    def test_send_and_receive_with_attributes_and_md5s(self):
        url = self.create("attrs")
        body = "attribute test body"
        t0 = int(time.time() * 1000)
        sent = self.c.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRS)
        t1 = int(time.time() * 1000)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body.encode()))
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(ATTRS))
        self.assertRegex(sent["MessageId"],
                         r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        plain = self.c.send_message(QueueUrl=url, MessageBody="no attributes")
        self.assertNotIn("MD5OfMessageAttributes", plain)  # omitted without attributes
        self.assertNotEqual(plain["MessageId"], sent["MessageId"])

        msgs = self.receive(url, MaxNumberOfMessages=10, AttributeNames=["All"],
                            MessageAttributeNames=["All"])
        self.assertEqual(len(msgs), 2)
        by_id = {m["MessageId"]: m for m in msgs}
        m = by_id[sent["MessageId"]]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_hex(body.encode()))
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(ATTRS))
        self.assertEqual(m["MessageAttributes"], ATTRS)
        a = m["Attributes"]
        self.assertEqual(a["ApproximateReceiveCount"], "1")
        self.assertTrue(t0 - 1000 <= int(a["SentTimestamp"]) <= t1 + 1000, a)
        self.assertGreaterEqual(int(a["ApproximateFirstReceiveTimestamp"]),
                                int(a["SentTimestamp"]))
        self.assertTrue(a["SenderId"])
        p = by_id[plain["MessageId"]]
        self.assertNotIn("MessageAttributes", p)
        self.assertNotIn("MD5OfMessageAttributes", p)

        # Only the named attributes come back, and the MD5 covers exactly those.
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                         VisibilityTimeout=0)
        again = self.receive(url, MessageAttributeNames=["num", "bin"],
                             AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(len(again), 1)
        subset = {k: ATTRS[k] for k in ("num", "bin")}
        self.assertEqual(again[0]["MessageAttributes"], subset)
        self.assertEqual(again[0]["MD5OfMessageAttributes"], md5_of_attributes(subset))
        self.assertEqual(again[0]["Attributes"], {"ApproximateReceiveCount": "2"})

    def test_attributes_only_when_asked_for(self):
        url = self.create("noask")
        self.c.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=ATTRS)
        m = self.receive(url)[0]
        self.assertNotIn("Attributes", m)
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("MD5OfMessageAttributes", m)
        self.assertEqual(m["MD5OfBody"], md5_hex(b"b"))

    def test_message_attribute_name_prefix_selection(self):
        url = self.create("prefixsel")
        attrs = {"la.one": {"DataType": "String", "StringValue": "1"},
                 "la.two": {"DataType": "Number", "StringValue": "2"},
                 "lab": {"DataType": "String", "StringValue": "3"},
                 "other": {"DataType": "String", "StringValue": "4"}}
        self.c.send_message(QueueUrl=url, MessageBody="p", MessageAttributes=attrs)
        # "la.*" selects every name starting with "la", "lab" too, as AWS answers.
        m = self.receive(url, MessageAttributeNames=["la.*"], VisibilityTimeout=0)[0]
        chosen = {k: attrs[k] for k in ("la.one", "la.two", "lab")}
        self.assertEqual(m["MessageAttributes"], chosen)
        self.assertEqual(m["MD5OfMessageAttributes"], md5_of_attributes(chosen))
        m = self.receive(url, MessageAttributeNames=[".*"], VisibilityTimeout=0)[0]
        self.assertEqual(m["MessageAttributes"], attrs)

    def test_trace_header_system_attribute(self):
        url = self.create("trace")
        trace = {"AWSTraceHeader": {"DataType": "String",
                                    "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}
        out = self.c.send_message(QueueUrl=url, MessageBody="t", MessageSystemAttributes=trace)
        self.assertEqual(out["MD5OfMessageSystemAttributes"], md5_of_attributes(trace))
        m = self.receive(url, AttributeNames=["AWSTraceHeader"])[0]
        self.assertEqual(m["Attributes"],
                         {"AWSTraceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793"})
        self.assertNotIn("MessageAttributes", m)

    def test_send_batch(self):
        url = self.create("batch")
        entries = [
            {"Id": "plain", "MessageBody": "one"},
            {"Id": "with-attrs_2", "MessageBody": "two", "MessageAttributes": ATTRS},
            {"Id": "delayed", "MessageBody": "three", "DelaySeconds": 0,
             "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "7"}}},
        ]
        out = self.c.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(out.get("Failed", []), [])
        ok = {e["Id"]: e for e in out["Successful"]}
        self.assertEqual(set(ok), {"plain", "with-attrs_2", "delayed"})
        for e in entries:
            r = ok[e["Id"]]
            self.assertEqual(r["MD5OfMessageBody"], md5_hex(e["MessageBody"].encode()))
            if "MessageAttributes" in e:
                self.assertEqual(r["MD5OfMessageAttributes"],
                                 md5_of_attributes(e["MessageAttributes"]))
            else:
                self.assertNotIn("MD5OfMessageAttributes", r)
        self.assertEqual(len({r["MessageId"] for r in ok.values()}), 3)

        msgs = self.receive(url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        self.assertEqual(sorted(m["Body"] for m in msgs), ["one", "three", "two"])
        for m in msgs:
            e = next(x for x in entries if x["MessageBody"] == m["Body"])
            self.assertEqual(m["MessageId"], ok[e["Id"]]["MessageId"])
            if "MessageAttributes" in e:
                self.assertEqual(m["MessageAttributes"], e["MessageAttributes"])
                self.assertEqual(m["MD5OfMessageAttributes"],
                                 ok[e["Id"]]["MD5OfMessageAttributes"])

    def test_send_batch_partial_failure_is_200(self):
        url = self.create("partial", Attributes={"MaximumMessageSize": "1024"})
        out = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "MessageBody": "fine"},
            {"Id": "big", "MessageBody": "x" * 1025}])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual([e["Id"] for e in out["Successful"]], ["ok"])
        self.assertEqual(len(out["Failed"]), 1)
        f = out["Failed"][0]
        self.assertEqual(f["Id"], "big")
        self.assertIs(f["SenderFault"], True)
        self.assertEqual(f["Code"], "InvalidParameterValue")
        # A batch entry's wording differs from SendMessage's "are invalid" (AWS-recorded).
        self.assertEqual(f["Message"], "One or more parameters cannot be validated. Reason: "
                                       "Message must be shorter than 1024 bytes.")
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_body_round_trips_byte_exact(self):
        url = self.create("bytes")
        bodies = [
            '<?xml version="1.0"?><a href="x&amp;y">&lt;tag&gt; & \'q\' "dq" ]]></a>',
            "line1\r\nline2\rline3\nline4\r\n\ttabbed  trailing spaces  ",
            "ünïcödé – 日本語 – emoji 😀🎉 – \U00010348 – \uFFFD",
            "\r",
            " ",
        ]
        sent = {}
        for b in bodies:
            out = self.c.send_message(QueueUrl=url, MessageBody=b)
            self.assertEqual(out["MD5OfMessageBody"], md5_hex(b.encode("utf-8")), repr(b))
            sent[out["MessageId"]] = b
        got = {}
        deadline = time.monotonic() + 10
        while len(got) < len(bodies) and time.monotonic() < deadline:
            for m in self.receive(url, MaxNumberOfMessages=10):
                got[m["MessageId"]] = m
        self.assertEqual(set(got), set(sent))
        for mid, m in got.items():
            self.assertEqual(m["Body"], sent[mid])
            self.assertEqual(m["Body"].encode("utf-8"), sent[mid].encode("utf-8"))
            self.assertEqual(m["MD5OfBody"], md5_hex(sent[mid].encode("utf-8")))

    def test_body_over_maximum_message_size_is_rejected(self):
        url = self.create("small", Attributes={"MaximumMessageSize": "1024"})
        self.c.send_message(QueueUrl=url, MessageBody="x" * 1024)
        self.assert_error(IPV,
                          "One or more parameters are invalid. Reason: Message must be shorter "
                          "than 1024 bytes.",
                          self.c.send_message, QueueUrl=url, MessageBody="x" * 1025)
        # Multi-byte characters count as bytes: 512 x 2-byte char = 1024 ok, one more too big.
        self.c.send_message(QueueUrl=url, MessageBody="é" * 512)
        self.assert_error(IPV, None, self.c.send_message, QueueUrl=url,
                          MessageBody="é" * 512 + "x")
        self.assertEqual(self.counts(url), (2, 0, 0))

        big = self.create("default-size")
        self.assert_error(IPV,
                          "One or more parameters are invalid. Reason: Message must be shorter "
                          "than 1048576 bytes.",
                          self.c.send_message, QueueUrl=big, MessageBody="y" * 1048577)
        # 1 MiB, the default MaximumMessageSize.
        out = self.c.send_message(QueueUrl=big, MessageBody="y" * 1048576)
        self.assertEqual(out["MD5OfMessageBody"], md5_hex(b"y" * 1048576))

    def test_delay_seconds_counts_as_delayed(self):
        url = self.create("delay")
        self.c.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
        self.c.send_message(QueueUrl=url, MessageBody="now")
        self.assertEqual(self.counts(url), (1, 0, 1))
        self.assertEqual([m["Body"] for m in self.receive(url, MaxNumberOfMessages=10)],
                         ["now"])
        self.assertEqual(self.counts(url), (0, 1, 1))
        wait_until(lambda: self.counts(url) == (1, 1, 0), 5, what="delay to elapse")
        self.assertEqual([m["Body"] for m in self.receive(url, MaxNumberOfMessages=10)],
                         ["later"])
        # The queue's DelaySeconds applies when the message does not say.
        q = self.create("delay-queue", Attributes={"DelaySeconds": "1"})
        self.c.send_message(QueueUrl=q, MessageBody="queue-delayed")
        self.assertEqual(self.counts(q), (0, 0, 1))
        self.assertEqual(self.receive(q), [])
        m = self.receive(q, WaitTimeSeconds=5)
        self.assertEqual([x["Body"] for x in m], ["queue-delayed"])


class ReceiveTest(SqsBase):
    def test_long_poll_returns_as_soon_as_a_message_arrives(self):
        url = self.create("longpoll")
        sender = self.client()
        errors = []

        def send_later():
            try:
                time.sleep(0.5)
                sender.send_message(QueueUrl=url, MessageBody="wake up")
            except Exception as e:  # reported by the main thread
                errors.append(e)
        t = threading.Thread(target=send_later)
        start = time.monotonic()
        t.start()
        msgs = self.receive(url, WaitTimeSeconds=5, MaxNumberOfMessages=10)
        elapsed = time.monotonic() - start
        t.join(timeout=10)
        self.assertEqual(errors, [])
        self.assertEqual([m["Body"] for m in msgs], ["wake up"])
        self.assertGreaterEqual(elapsed, 0.4)
        self.assertLess(elapsed, 2.5, "long poll did not return as soon as the message came")

    def test_long_poll_on_empty_queue_waits_then_returns_empty(self):
        url = self.create("empty")
        start = time.monotonic()
        out = self.c.receive_message(QueueUrl=url, WaitTimeSeconds=2)
        elapsed = time.monotonic() - start
        self.assertEqual(out.get("Messages", []), [])
        self.assertGreaterEqual(elapsed, 1.8)
        self.assertLess(elapsed, 4.0)
        # The queue's ReceiveMessageWaitTimeSeconds applies when the call does not say.
        q = self.create("empty-default-wait", Attributes={"ReceiveMessageWaitTimeSeconds": "1"})
        start = time.monotonic()
        self.assertEqual(self.receive(q), [])
        self.assertGreaterEqual(time.monotonic() - start, 0.8)
        # Short poll on an empty queue answers at once.
        start = time.monotonic()
        self.assertEqual(self.receive(url, WaitTimeSeconds=0), [])
        self.assertLess(time.monotonic() - start, 1.0)

    def test_concurrent_long_polls_each_get_a_message(self):
        url = self.create("fanout")
        results, errors = [], []
        clients = [self.client() for _ in range(3)]

        def poll(c):
            try:
                results.append(c.receive_message(
                    QueueUrl=url, WaitTimeSeconds=5).get("Messages", []))
            except Exception as e:
                errors.append(e)
        threads = [threading.Thread(target=poll, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        time.sleep(0.3)
        start = time.monotonic()
        self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": f"m{i}", "MessageBody": f"body-{i}"} for i in range(3)])
        for t in threads:
            t.join(timeout=10)
        self.assertLess(time.monotonic() - start, 3.0)
        self.assertEqual(errors, [])
        bodies = sorted(m["Body"] for r in results for m in r)
        self.assertEqual(bodies, ["body-0", "body-1", "body-2"])

    def test_visibility_timeout_expiry_redelivers_with_new_handle(self):
        url = self.create("vis")
        self.c.send_message(QueueUrl=url, MessageBody="again")
        first = self.receive(url, VisibilityTimeout=1, AttributeNames=["All"])
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(self.counts(url), (0, 1, 0))
        self.assertEqual(self.receive(url), [])  # hidden
        start = time.monotonic()
        second = self.receive(url, WaitTimeSeconds=5, VisibilityTimeout=30,
                              AttributeNames=["All"])
        self.assertLess(time.monotonic() - start, 3.0)
        self.assertEqual(len(second), 1)
        m = second[0]
        self.assertEqual(m["MessageId"], first[0]["MessageId"])
        self.assertEqual(m["Body"], "again")
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(m["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         first[0]["Attributes"]["ApproximateFirstReceiveTimestamp"])
        self.assertNotEqual(m["ReceiptHandle"], first[0]["ReceiptHandle"])

        # The stale handle "succeeds" but deletes nothing (only the latest handle deletes).
        self.c.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 1, 0))
        # The latest one deletes.
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 0, 0))
        self.assertEqual(self.receive(url), [])

    def test_max_number_of_messages(self):
        url = self.create("many")
        for i in range(2):
            self.c.send_message_batch(QueueUrl=url, Entries=[
                {"Id": f"e{j}", "MessageBody": f"{i}-{j}"} for j in range(10)])
        self.assertEqual(self.counts(url), (20, 0, 0))
        self.assertEqual(len(self.receive(url)), 1)  # default 1
        self.assertEqual(len(self.receive(url, MaxNumberOfMessages=10)), 10)
        self.assertEqual(len(self.receive(url, MaxNumberOfMessages=10)), 9)
        self.assertEqual(self.counts(url), (0, 20, 0))


class DeleteAndVisibilityTest(SqsBase):
    def test_delete_and_delete_batch(self):
        url = self.create("del")
        self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(5)])
        msgs = self.receive(url, MaxNumberOfMessages=10)
        self.assertEqual(len(msgs), 5)
        self.c.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])
        self.assertEqual(self.counts(url), (0, 4, 0))
        out = self.c.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": msgs[1]["ReceiptHandle"]},
            {"Id": "b", "ReceiptHandle": msgs[2]["ReceiptHandle"]},
            {"Id": "bad", "ReceiptHandle": "garbage"}])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), ["a", "b"])
        self.assertEqual(len(out["Failed"]), 1)
        f = out["Failed"][0]
        self.assertEqual((f["Id"], f["Code"], f["SenderFault"]),
                         ("bad", "ReceiptHandleIsInvalid", True))
        self.assertEqual(f["Message"],
                         'The input receipt handle "garbage" is not a valid receipt handle.')
        self.assertEqual(self.counts(url), (0, 2, 0))
        # Make the rest visible: exactly the two undeleted bodies come back.
        out = self.c.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "x", "ReceiptHandle": msgs[3]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "y", "ReceiptHandle": msgs[4]["ReceiptHandle"], "VisibilityTimeout": 0}])
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), ["x", "y"])
        self.assertEqual(out.get("Failed", []), [])
        again = self.receive(url, MaxNumberOfMessages=10)
        self.assertEqual(sorted(m["Body"] for m in again),
                         sorted([msgs[3]["Body"], msgs[4]["Body"]]))

    def test_change_visibility_then_after_delete(self):
        url = self.create("chvis")
        self.c.send_message(QueueUrl=url, MessageBody="cv")
        m = self.receive(url, VisibilityTimeout=30)[0]
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                         VisibilityTimeout=0)
        m2 = self.receive(url, VisibilityTimeout=30, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(len(m2), 1)
        self.assertEqual(m2[0]["Attributes"]["ApproximateReceiveCount"], "2")
        # Extending the timeout keeps it hidden.
        self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=m2[0]["ReceiptHandle"],
                                         VisibilityTimeout=60)
        self.assertEqual(self.receive(url), [])
        self.c.delete_message(QueueUrl=url, ReceiptHandle=m2[0]["ReceiptHandle"])
        handle = m2[0]["ReceiptHandle"]
        self.assert_error(
            IPV,
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not "
            f"exist or is not available for visibility timeout change.",
            self.c.change_message_visibility, QueueUrl=url, ReceiptHandle=handle,
            VisibilityTimeout=10)

    def test_purge_then_second_purge_is_403(self):
        url = self.create("purge")
        self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(4)])
        inflight = self.receive(url, MaxNumberOfMessages=2)
        self.assertEqual(len(inflight), 2)
        self.c.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
        self.assertEqual(self.counts(url), (2, 2, 1))
        self.c.purge_queue(QueueUrl=url)
        self.assertEqual(self.counts(url), (0, 0, 0))  # in-flight and delayed too
        self.assertEqual(self.receive(url, MaxNumberOfMessages=10), [])
        self.assert_error("AWS.SimpleQueueService.PurgeQueueInProgress",
                          "Only one PurgeQueue operation on purge is allowed every 60 seconds.",
                          self.c.purge_queue, status=403, exc="PurgeQueueInProgress",
                          QueueUrl=url)
        # The lockout is per queue; the queue itself keeps working.
        self.c.purge_queue(QueueUrl=self.create("purge-other"))
        self.c.send_message(QueueUrl=url, MessageBody="after purge")
        self.assertEqual([m["Body"] for m in self.receive(url)], ["after purge"])


class ErrorTest(SqsBase):
    def test_missing_queue_raises_queue_does_not_exist(self):
        url = self.url("nope")
        calls = [
            (self.c.get_queue_url, {"QueueName": "nope"}),
            (self.c.send_message, {"QueueUrl": url, "MessageBody": "x"}),
            (self.c.send_message_batch, {"QueueUrl": url,
                                         "Entries": [{"Id": "a", "MessageBody": "x"}]}),
            (self.c.receive_message, {"QueueUrl": url}),
            (self.c.receive_message, {"QueueUrl": url, "WaitTimeSeconds": 1}),
            (self.c.delete_message, {"QueueUrl": url, "ReceiptHandle": "x"}),
            (self.c.get_queue_attributes, {"QueueUrl": url, "AttributeNames": ["All"]}),
            (self.c.set_queue_attributes, {"QueueUrl": url,
                                           "Attributes": {"VisibilityTimeout": "1"}}),
            (self.c.purge_queue, {"QueueUrl": url}),
            (self.c.delete_queue, {"QueueUrl": url}),
            (self.c.list_queue_tags, {"QueueUrl": url}),
            (self.c.tag_queue, {"QueueUrl": url, "Tags": {"a": "b"}}),
        ]
        for fn, kwargs in calls:
            with self.subTest(op=fn.__name__):
                self.assert_error(NON_EXISTENT, self.missing_message(), fn,
                                  exc="QueueDoesNotExist", **kwargs)

    def test_receive_parameter_ranges(self):
        url = self.create("ranges")
        self.assert_error(IPV,
                          "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must "
                          "be between 1 and 10, if provided.",
                          self.c.receive_message, QueueUrl=url, MaxNumberOfMessages=11)
        self.assert_error(IPV,
                          "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must "
                          "be between 1 and 10, if provided.",
                          self.c.receive_message, QueueUrl=url, MaxNumberOfMessages=0)
        start = time.monotonic()
        self.assert_error(IPV,
                          "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be "
                          ">= 0 and <= 20, if provided.",
                          self.c.receive_message, QueueUrl=url, WaitTimeSeconds=21)
        self.assertLess(time.monotonic() - start, 2.0)

    def test_batch_entry_errors(self):
        url = self.create("batcherr")
        self.assert_error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                          "Maximum number of entries per request are 10. You have sent 11.",
                          self.c.send_message_batch, exc="TooManyEntriesInBatchRequest",
                          QueueUrl=url,
                          Entries=[{"Id": f"e{i}", "MessageBody": "x"} for i in range(11)])
        self.assert_error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                          "Maximum number of entries per request are 10. You have sent 11.",
                          self.c.delete_message_batch, exc="TooManyEntriesInBatchRequest",
                          QueueUrl=url,
                          Entries=[{"Id": f"e{i}", "ReceiptHandle": "x"} for i in range(11)])
        self.assert_error("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", None,
                          self.c.send_message_batch, exc="BatchEntryIdsNotDistinct",
                          QueueUrl=url, Entries=[{"Id": "same", "MessageBody": "1"},
                                                 {"Id": "same", "MessageBody": "2"}])
        bad_id = ("A batch entry id can only contain alphanumeric characters, hyphens and "
                  "underscores. It can be at most 80 letters long.")
        for entry_id in ("has space", "dot.ted", "x" * 81):
            with self.subTest(entry_id=entry_id):
                self.assert_error("AWS.SimpleQueueService.InvalidBatchEntryId", bad_id,
                                  self.c.send_message_batch, exc="InvalidBatchEntryId",
                                  QueueUrl=url,
                                  Entries=[{"Id": entry_id, "MessageBody": "x"}])
        ok = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "x" * 80, "MessageBody": "80-char id is fine"}])
        self.assertEqual([e["Id"] for e in ok["Successful"]], ["x" * 80])
        # Nothing from the refused batches was enqueued.
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_empty_batch(self):
        url = self.create("emptybatch")
        for fn in (self.c.send_message_batch, self.c.delete_message_batch,
                   self.c.change_message_visibility_batch):
            with self.subTest(op=fn.__name__):
                self.assert_error("AWS.SimpleQueueService.EmptyBatchRequest", None, fn,
                                  exc="EmptyBatchRequest", QueueUrl=url, Entries=[])

    def test_batch_request_too_long(self):
        url = self.create("toolong")
        self.assert_error("AWS.SimpleQueueService.BatchRequestTooLong",
                          "Batch requests cannot be longer than 1048576 bytes. You have sent "
                          "1048577 bytes.",
                          self.c.send_message_batch, exc="BatchRequestTooLong", QueueUrl=url,
                          Entries=[{"Id": "a", "MessageBody": "a" * 524288},
                                   {"Id": "b", "MessageBody": "b" * 524289}])
        self.assertEqual(self.counts(url), (0, 0, 0))
        out = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "a" * 524288}, {"Id": "b", "MessageBody": "b" * 524288}])
        self.assertEqual(len(out["Successful"]), 2)

    def test_empty_string_attribute_value(self):
        url = self.create("emptyattr")
        self.assert_error(IPV, "Message (user) attribute 'X' must contain a non-empty value of "
                               "type 'String'.",
                          self.c.send_message, QueueUrl=url, MessageBody="b",
                          MessageAttributes={"X": {"DataType": "String", "StringValue": ""}})
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_body_outside_xml_character_ranges(self):
        url = self.create("badchars")
        for body in ("bell \x07", "nul \x00", "vt \x0b", "fffe \ufffe"):
            with self.subTest(body=body):
                self.assert_error("InvalidMessageContents", None, self.c.send_message,
                                  exc="InvalidMessageContents", QueueUrl=url, MessageBody=body)
        self.assertEqual(self.counts(url), (0, 0, 0))

    def test_attribute_values_out_of_range(self):
        url = self.create("badvalues")
        exc = "InvalidAttributeValue" if hasattr(self.c.exceptions,
                                                 "InvalidAttributeValue") else None
        for name, value in (("VisibilityTimeout", "43201"), ("VisibilityTimeout", "-1"),
                            ("MessageRetentionPeriod", "59"),
                            ("MessageRetentionPeriod", "1209601"),
                            ("MaximumMessageSize", "1023"), ("MaximumMessageSize", "1048577"),
                            ("DelaySeconds", "901"), ("ReceiveMessageWaitTimeSeconds", "21"),
                            ("DelaySeconds", "soon")):
            with self.subTest(name=name, value=value):
                e = self.assert_error("InvalidAttributeValue", None,
                                      self.c.set_queue_attributes, exc=exc,
                                      shape="InvalidAttributeValue", QueueUrl=url,
                                      Attributes={name: value})
                self.assertTrue(e.response["Error"]["Message"].startswith(
                    f"Invalid value for the parameter {name}"), e)
                self.assert_error("InvalidAttributeValue", None, self.c.create_queue, exc=exc,
                                  shape="InvalidAttributeValue", QueueName="badvalues-new",
                                  Attributes={name: value})
        # The limits themselves are accepted.
        self.c.set_queue_attributes(QueueUrl=url, Attributes={
            "VisibilityTimeout": "43200", "MessageRetentionPeriod": "1209600",
            "MaximumMessageSize": "1024", "DelaySeconds": "900",
            "ReceiveMessageWaitTimeSeconds": "20"})
        self.assertNotIn("QueueUrls", self.c.list_queues(QueueNamePrefix="badvalues-new"))

    def test_garbage_receipt_handle(self):
        url = self.create("garbage")
        self.assert_error("ReceiptHandleIsInvalid",
                          'The input receipt handle "garbage" is not a valid receipt handle.',
                          self.c.delete_message, exc="ReceiptHandleIsInvalid",
                          QueueUrl=url, ReceiptHandle="garbage")

    def test_create_queue_same_name_different_attributes(self):
        self.create("exists", Attributes={"DelaySeconds": "1"})
        self.assert_error("QueueAlreadyExists",
                          "A queue already exists with the same name and a different value for "
                          "attribute DelaySeconds",
                          self.c.create_queue, exc="QueueNameExists",
                          QueueName="exists", Attributes={"DelaySeconds": "2"})
        self.assertEqual(self.attrs(self.url("exists"), "DelaySeconds"), {"DelaySeconds": "1"})

    def test_unknown_attribute_name(self):
        url = self.create("unknown-attr")
        self.assert_error("InvalidAttributeName", "Unknown Attribute Bogus.",
                          self.c.get_queue_attributes, exc="InvalidAttributeName",
                          QueueUrl=url, AttributeNames=["Bogus"])
        self.assert_error("InvalidAttributeName", "Unknown Attribute Bogus.",
                          self.c.set_queue_attributes, exc="InvalidAttributeName",
                          QueueUrl=url, Attributes={"Bogus": "1"})
        self.assert_error("InvalidAttributeName", "Unknown Attribute FifoQueue.",
                          self.c.set_queue_attributes, exc="InvalidAttributeName",
                          QueueUrl=url, Attributes={"FifoQueue": "true"})


class RedriveTest(SqsBase):
    def test_start_message_move_task_on_a_queue_that_is_nobodys_dlq(self):
        model = self.c.meta.service_model
        if "StartMessageMoveTask" not in model.operation_names:
            # botocore 1.29 predates move tasks (2023); the wire test covers the raw call.
            self.assertEqual(self.protocol, "query")
            self.assertFalse(hasattr(self.c, "start_message_move_task"))
            return
        self.create("lambda-on-failure")
        self.assert_error(IPV,
                          "Source queue must be configured as a Dead Letter Queue.",
                          self.c.start_message_move_task,
                          SourceArn=self.arn("lambda-on-failure"))

    def test_redrive_to_dead_letter_queue_after_max_receive_count(self):
        dlq = self.create("redrive-dlq")
        policy = json.dumps({"deadLetterTargetArn": self.arn("redrive-dlq"),
                             "maxReceiveCount": 1})
        src = self.create("redrive-src", Attributes={"RedrivePolicy": policy})
        sent = self.c.send_message(QueueUrl=src, MessageBody="poison",
                                   MessageAttributes={"k": ATTRS["str"]})
        first = self.receive(src, VisibilityTimeout=1, AttributeNames=["All"])
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["Attributes"]["ApproximateReceiveCount"], "1")

        def moved():
            # Every receive attempt after the timeout must not hand the message out again.
            self.assertEqual(self.receive(src, MaxNumberOfMessages=10), [])
            return self.counts(dlq)[0] == 1
        wait_until(moved, 6, interval=0.2, what="message to move to the DLQ")
        self.assertEqual(self.counts(src), (0, 0, 0))
        got = self.receive(dlq, AttributeNames=["All"], MessageAttributeNames=["All"])
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["Body"], "poison")
        self.assertEqual(m["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(m["MessageAttributes"], {"k": ATTRS["str"]})
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], self.arn("redrive-src"))
        # Asked for by name as well.
        self.c.change_message_visibility(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"],
                                         VisibilityTimeout=0)
        named = self.receive(dlq, AttributeNames=["DeadLetterQueueSourceArn"])
        self.assertEqual(named[0]["Attributes"],
                         {"DeadLetterQueueSourceArn": self.arn("redrive-src")})
        # Without asking, no attributes.
        self.c.change_message_visibility(QueueUrl=dlq, ReceiptHandle=named[0]["ReceiptHandle"],
                                         VisibilityTimeout=0)
        bare = self.receive(dlq)
        self.assertNotIn("Attributes", bare[0])
        self.c.change_message_visibility(QueueUrl=dlq, ReceiptHandle=bare[0]["ReceiptHandle"],
                                         VisibilityTimeout=0)

        if "StartMessageMoveTask" in self.c.meta.service_model.operation_names:
            # A real redrive DLQ accepts a move task (back to the source by default).
            handle = self.c.start_message_move_task(
                SourceArn=self.arn("redrive-dlq"))["TaskHandle"]
            self.assertTrue(handle)
            wait_until(lambda: self.counts(src)[0] + self.counts(src)[1] == 1, 10,
                       interval=0.2, what="move task to return the message")
            self.assertEqual(self.counts(dlq), (0, 0, 0))
            moved = self.receive(src, AttributeNames=["All"])
            self.assertEqual([m["Body"] for m in moved], ["poison"])
            tasks = self.c.list_message_move_tasks(SourceArn=self.arn("redrive-dlq"))
            self.assertEqual(len(tasks["Results"]), 1)
            t = tasks["Results"][0]
            self.assertEqual(t["SourceArn"], self.arn("redrive-dlq"))
            self.assertEqual(t["Status"], "COMPLETED")
            self.assertNotIn("TaskHandle", t)  # only while RUNNING
            self.assertEqual(t["ApproximateNumberOfMessagesMoved"], 1)
            self.assertIsInstance(t["StartedTimestamp"], int)
            # A destination that does not exist: 404 ResourceNotFoundException.
            self.assert_error("ResourceNotFoundException",
                              "The resource that you specified for the DestinationArn parameter "
                              "doesn't exist.",
                              self.c.start_message_move_task, status=404,
                              exc="ResourceNotFoundException",
                              SourceArn=self.arn("redrive-dlq"),
                              DestinationArn=self.arn("no-such-queue"))


class CooldownFlagsTest(SqsBase):
    kemu_args = ("--sqs-purge-cooldown-ms", "500", "--sqs-delete-cooldown-ms", "60000")

    def test_delete_cooldown_answers_queue_deleted_recently(self):
        url = self.create("reborn")
        self.c.delete_queue(QueueUrl=url)
        self.assert_error("AWS.SimpleQueueService.QueueDeletedRecently", None,
                          self.c.create_queue, exc="QueueDeletedRecently", QueueName="reborn")
        self.assert_error(NON_EXISTENT, None, self.c.get_queue_url, exc="QueueDoesNotExist",
                          QueueName="reborn")

    def test_purge_cooldown_is_configurable(self):
        url = self.create("quickpurge")
        self.c.purge_queue(QueueUrl=url)
        self.assert_error("AWS.SimpleQueueService.PurgeQueueInProgress", None,
                          self.c.purge_queue, status=403, exc="PurgeQueueInProgress",
                          QueueUrl=url)
        time.sleep(0.6)
        self.c.send_message(QueueUrl=url, MessageBody="x")
        self.c.purge_queue(QueueUrl=url)
        self.assertEqual(self.counts(url), (0, 0, 0))


if __name__ == "__main__":
    run_main()
