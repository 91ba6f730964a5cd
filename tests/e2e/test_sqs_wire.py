"""kemu SQS on the wire (stdlib only): the JSON 1.0 and query/XML envelopes and error shapes,
GET with a query string, requests posted to the queue URL path, queue URLs built from the Host
header, unknown actions, malformed JSON, and empty containers. docs/aws/sqs.md describes the two
protocols.

Run: python3 tests/e2e/test_sqs_wire.py   (KEMU_BIN=... to pick the binary)
"""

import base64
import hashlib
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kemu_harness import ACCOUNT, REGION, KemuTestCase, run_main  # noqa: E402

NS = "http://queue.amazonaws.com/doc/2012-11-05/"
Q = "{" + NS + "}"
JSON_CT = "application/x-amz-json-1.0"
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000")


class Reply:
    def __init__(self, resp):
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.raw = resp.read()

    def json(self):
        return json.loads(self.raw)

    def xml(self):
        return ET.fromstring(self.raw)


class WireBase(KemuTestCase):
    def request(self, method, path, body=b"", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.kemu.port, timeout=30)
        try:
            h = {"Authorization": AUTH, "X-Amz-Date": "20240101T000000Z"}
            h.update(headers or {})
            conn.request(method, path, body=body, headers=h)
            return Reply(conn.getresponse())
        finally:
            conn.close()

    def call_json(self, action, payload, path="/", host=None, raw_body=None):
        headers = {"Content-Type": JSON_CT, "X-Amz-Target": f"AmazonSQS.{action}",
                   "x-amzn-query-mode": "true"}
        if host:
            headers["Host"] = host
        body = raw_body if raw_body is not None else json.dumps(payload).encode()
        return self.request("POST", path, body, headers)

    def call_query(self, action, params, path="/", host=None, method="POST"):
        fields = [("Action", action), ("Version", "2012-11-05")] + list(params)
        encoded = urllib.parse.urlencode(fields)
        headers = {}
        if host:
            headers["Host"] = host
        if method == "GET":
            return self.request("GET", f"{path}?{encoded}", b"", headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        return self.request("POST", path, encoded.encode(), headers)

    def url(self, name, host=None):
        return f"http://{host or f'127.0.0.1:{self.kemu.port}'}/{ACCOUNT}/{name}"

    def create(self, name):
        r = self.call_json("CreateQueue", {"QueueName": name})
        self.assertEqual(r.status, 200, r.raw)
        return r.json()["QueueUrl"]

    def assert_json_error(self, r, status, shape, query_code, message):
        self.assertEqual(r.status, status, r.raw)
        self.assertEqual(r.headers.get("content-type"), JSON_CT)
        self.assertEqual(r.headers.get("x-amzn-query-error"), f"{query_code};Sender")
        self.assertTrue(r.headers.get("x-amzn-requestid"))
        body = r.json()
        self.assertEqual(body["__type"], f"com.amazonaws.sqs#{shape}")
        self.assertEqual(body["message"], message)

    def assert_query_error(self, r, status, code, message):
        self.assertEqual(r.status, status, r.raw)
        self.assertTrue(r.headers.get("content-type", "").startswith("text/xml"), r.headers)
        root = r.xml()
        self.assertEqual(root.tag, Q + "ErrorResponse")
        err = root.find(Q + "Error")
        self.assertEqual(err.findtext(Q + "Type"), "Sender")
        self.assertEqual(err.findtext(Q + "Code"), code)
        self.assertEqual(err.findtext(Q + "Message"), message)
        self.assertTrue(root.findtext(Q + "RequestId"))
        return root

    def query_result(self, r, action):
        self.assertEqual(r.status, 200, r.raw)
        self.assertTrue(r.headers.get("content-type", "").startswith("text/xml"), r.headers)
        root = r.xml()
        self.assertEqual(root.tag, Q + f"{action}Response")
        self.assertTrue(root.findtext(f"{Q}ResponseMetadata/{Q}RequestId"))
        return root.find(Q + f"{action}Result")


class JsonProtocolTest(WireBase):
    def test_missing_queue_error_shape(self):
        r = self.call_json("GetQueueUrl", {"QueueName": "nope"})
        self.assert_json_error(r, 400, "QueueDoesNotExist",
                               "AWS.SimpleQueueService.NonExistentQueue",
                               "The specified queue does not exist.")
        r = self.call_json("SendMessage", {"QueueUrl": self.url("nope"), "MessageBody": "x"})
        self.assert_json_error(r, 400, "QueueDoesNotExist",
                               "AWS.SimpleQueueService.NonExistentQueue",
                               "The specified queue does not exist.")

    def test_catalogue_errors_carry_shape_and_legacy_code(self):
        url = self.create("errs")
        r = self.call_json("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 11})
        self.assert_json_error(r, 400, "InvalidParameterValueException", "InvalidParameterValue",
                               "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: "
                               "Must be between 1 and 10, if provided.")
        r = self.call_json("CreateQueue", {"QueueName": "errs",
                                           "Attributes": {"DelaySeconds": "5"}})
        self.assert_json_error(r, 400, "QueueNameExists", "QueueAlreadyExists",
                               "A queue already exists with the same name and a different value "
                               "for attribute DelaySeconds")
        r = self.call_json("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": "garbage"})
        self.assert_json_error(r, 400, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
                               'The input receipt handle "garbage" is not a valid receipt '
                               'handle.')
        r = self.call_json("SendMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": f"e{i}", "MessageBody": "x"} for i in range(20)]})
        self.assert_json_error(r, 400, "TooManyEntriesInBatchRequest",
                               "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                               "Maximum number of entries per request are 10. You have sent 20.")
        r = self.call_json("PurgeQueue", {"QueueUrl": url})
        self.assertEqual((r.status, r.json()), (200, {}))
        r = self.call_json("PurgeQueue", {"QueueUrl": url})
        self.assert_json_error(r, 403, "PurgeQueueInProgress",
                               "AWS.SimpleQueueService.PurgeQueueInProgress",
                               "Only one PurgeQueue operation on errs is allowed every 60 "
                               "seconds.")
        r = self.call_json("StartMessageMoveTask",
                           {"SourceArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:errs"})
        self.assert_json_error(r, 400, "InvalidParameterValueException", "InvalidParameterValue",
                               "Source queue must be configured as a Dead Letter Queue.")

    def test_missing_message_body(self):
        url = self.create("nobody")
        r = self.call_json("SendMessage", {"QueueUrl": url})
        self.assert_json_error(r, 400, "MissingRequiredParameterException", "MissingParameter",
                               "The request must contain the parameter MessageBody.")
        r = self.call_query("SendMessage", [("QueueUrl", url)])
        self.assert_query_error(r, 400, "MissingParameter",
                                "The request must contain the parameter MessageBody.")

    def test_success_envelope_and_empty_containers(self):
        url = self.create("shape")
        r = self.call_json("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10,
                                              "AttributeNames": ["All"],
                                              "MessageAttributeNames": ["All"]})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get("content-type"), JSON_CT)
        self.assertTrue(r.headers.get("x-amzn-requestid"))
        self.assertEqual(r.json(), {})  # empty receive: no "Messages": [], empty containers omitted

        r = self.call_json("SendMessage", {"QueueUrl": url, "MessageBody": "plain"})
        sent = r.json()
        self.assertEqual(set(sent), {"MessageId", "MD5OfMessageBody"})
        self.assertEqual(sent["MD5OfMessageBody"], hashlib.md5(b"plain").hexdigest())
        r = self.call_json("ReceiveMessage", {"QueueUrl": url, "VisibilityTimeout": 0,
                                              "MessageAttributeNames": ["All"]})
        msgs = r.json()["Messages"]
        self.assertEqual(len(msgs), 1)
        # No attributes sent, none asked for: no empty Attributes/MessageAttributes, no MD5.
        self.assertEqual(set(msgs[0]), {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"})
        r = self.call_json("ReceiveMessage", {"QueueUrl": url,
                                              "MessageSystemAttributeNames": ["SentTimestamp"]})
        m = r.json()["Messages"][0]
        self.assertEqual(set(m["Attributes"]), {"SentTimestamp"})
        self.assertIsInstance(m["Attributes"]["SentTimestamp"], str)  # numbers are strings

        # Operations without output answer {}.
        for action, payload in (
                ("SetQueueAttributes", {"QueueUrl": url, "Attributes": {"DelaySeconds": "0"}}),
                ("TagQueue", {"QueueUrl": url, "Tags": {"a": "b"}}),
                ("ChangeMessageVisibility", {"QueueUrl": url, "ReceiptHandle":
                                             m["ReceiptHandle"], "VisibilityTimeout": 0}),
                ("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
                ("DeleteQueue", {"QueueUrl": url})):
            with self.subTest(action=action):
                r = self.call_json(action, payload)
                self.assertEqual(r.status, 200, r.raw)
                self.assertEqual(r.json(), {})
        r = self.call_json("ListQueues", {})
        self.assertEqual(r.json(), {})  # QueueUrls omitted when there are none

    def test_binary_attribute_is_base64_on_the_wire(self):
        url = self.create("bin")
        raw = bytes(range(256))
        r = self.call_json("SendMessage", {"QueueUrl": url, "MessageBody": "b",
                                           "MessageAttributes": {"blob": {
                                               "DataType": "Binary",
                                               "BinaryValue": base64.b64encode(raw).decode()}}})
        self.assertEqual(r.status, 200, r.raw)
        name, dtype = b"blob", b"Binary"
        expect = hashlib.md5(len(name).to_bytes(4, "big") + name + len(dtype).to_bytes(4, "big")
                             + dtype + b"\x02" + len(raw).to_bytes(4, "big") + raw).hexdigest()
        self.assertEqual(r.json()["MD5OfMessageAttributes"], expect)
        m = self.call_json("ReceiveMessage", {"QueueUrl": url, "MessageAttributeNames":
                                              ["All"]}).json()["Messages"][0]
        self.assertEqual(m["MessageAttributes"], {"blob": {
            "BinaryValue": base64.b64encode(raw).decode(), "DataType": "Binary"}})
        self.assertEqual(m["MD5OfMessageAttributes"], expect)

    def test_unknown_action(self):
        r = self.call_json("NoSuchAction", {})
        self.assertEqual(r.status, 400, r.raw)
        self.assertEqual(r.headers.get("content-type"), JSON_CT)
        self.assertTrue(r.json()["__type"].endswith("#UnknownOperationException"), r.raw)

    def test_malformed_json(self):
        for body in (b"{not json", b"[1, 2]", b'{"QueueName": "x"'):
            with self.subTest(body=body):
                r = self.call_json("CreateQueue", None, raw_body=body)
                self.assertEqual(r.status, 400, r.raw)
                self.assertEqual(r.headers.get("content-type"), JSON_CT)
                self.assertTrue(r.json()["__type"].endswith("SerializationException"), r.raw)
        # Nothing was created and kemu still answers.
        self.assertEqual(self.call_json("ListQueues", {}).json(), {})


class QueryProtocolTest(WireBase):
    def test_missing_queue_error_shape(self):
        r = self.call_query("GetQueueUrl", [("QueueName", "nope")])
        root = self.assert_query_error(r, 400, "AWS.SimpleQueueService.NonExistentQueue",
                                       "The specified queue does not exist for this wsdl "
                                       "version.")
        self.assertIsNotNone(root.find(f"{Q}Error/{Q}Detail"))
        r = self.call_query("ReceiveMessage", [("QueueUrl", self.url("nope"))])
        self.assert_query_error(r, 400, "AWS.SimpleQueueService.NonExistentQueue",
                                "The specified queue does not exist for this wsdl version.")

    def test_catalogue_errors(self):
        url = self.create("qerrs")
        r = self.call_query("ReceiveMessage", [("QueueUrl", url), ("WaitTimeSeconds", "21")])
        self.assert_query_error(r, 400, "InvalidParameterValue",
                                "Value 21 for parameter WaitTimeSeconds is invalid. Reason: "
                                "Must be >= 0 and <= 20, if provided.")
        r = self.call_query("PurgeQueue", [("QueueUrl", url)])
        self.query_result(r, "PurgeQueue")
        r = self.call_query("PurgeQueue", [("QueueUrl", url)])
        self.assert_query_error(r, 403, "AWS.SimpleQueueService.PurgeQueueInProgress",
                                "Only one PurgeQueue operation on qerrs is allowed every 60 "
                                "seconds.")
        # Debian's boto3 and AWS CLI v2 have no StartMessageMoveTask; the raw call still works.
        r = self.call_query("StartMessageMoveTask",
                            [("SourceArn", f"arn:aws:sqs:{REGION}:{ACCOUNT}:qerrs")])
        self.assert_query_error(r, 400, "InvalidParameterValue",
                                "Source queue must be configured as a Dead Letter Queue.")

    def test_receive_xml_shape_and_escaping(self):
        url = self.create("xml")
        body = "<b>&amp; \"q\" 'a'</b>\r\n\tünï 😀\r"
        r = self.call_query("SendMessage", [
            ("QueueUrl", url), ("MessageBody", body),
            ("MessageAttribute.1.Name", "k"), ("MessageAttribute.1.Value.DataType", "String"),
            ("MessageAttribute.1.Value.StringValue", "v<&>")])
        res = self.query_result(r, "SendMessage")
        self.assertEqual(res.findtext(Q + "MD5OfMessageBody"),
                         hashlib.md5(body.encode()).hexdigest())
        sent_md5 = res.findtext(Q + "MD5OfMessageAttributes")
        self.assertRegex(sent_md5, r"^[0-9a-f]{32}$")
        self.assertTrue(res.findtext(Q + "MessageId"))

        r = self.call_query("ReceiveMessage", [
            ("QueueUrl", url), ("AttributeName.1", "ApproximateReceiveCount"),
            ("MessageAttributeName.1", "All"), ("MaxNumberOfMessages", "10")])
        res = self.query_result(r, "ReceiveMessage")
        msgs = res.findall(Q + "Message")
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m.findtext(Q + "Body"), body)  # CR survives XML parsing
        self.assertEqual(m.findtext(Q + "MD5OfBody"), hashlib.md5(body.encode()).hexdigest())
        attrs = {a.findtext(Q + "Name"): a.findtext(Q + "Value")
                 for a in m.findall(Q + "Attribute")}
        self.assertEqual(attrs, {"ApproximateReceiveCount": "1"})
        mas = m.findall(Q + "MessageAttribute")
        self.assertEqual(len(mas), 1)
        self.assertEqual(mas[0].findtext(Q + "Name"), "k")
        self.assertEqual(mas[0].findtext(f"{Q}Value/{Q}StringValue"), "v<&>")
        self.assertEqual(mas[0].findtext(f"{Q}Value/{Q}DataType"), "String")
        self.assertEqual(m.findtext(Q + "MD5OfMessageAttributes"), sent_md5)

        r = self.call_query("ReceiveMessage", [("QueueUrl", url)])
        res = self.query_result(r, "ReceiveMessage")
        self.assertEqual(list(res), [])  # <ReceiveMessageResult/>

    def test_get_with_query_string(self):
        r = self.call_query("CreateQueue", [("QueueName", "viaget"),
                                            ("Attribute.1.Name", "VisibilityTimeout"),
                                            ("Attribute.1.Value", "12")], method="GET")
        url = self.query_result(r, "CreateQueue").findtext(Q + "QueueUrl")
        self.assertEqual(url, self.url("viaget"))
        r = self.call_query("SendMessage", [("QueueUrl", url), ("MessageBody", "got & sent")],
                            method="GET")
        self.query_result(r, "SendMessage")
        r = self.call_query("GetQueueAttributes", [("QueueUrl", url),
                                                   ("AttributeName.1", "VisibilityTimeout"),
                                                   ("AttributeName.2",
                                                    "ApproximateNumberOfMessages")],
                            method="GET")
        res = self.query_result(r, "GetQueueAttributes")
        attrs = {a.findtext(Q + "Name"): a.findtext(Q + "Value")
                 for a in res.findall(Q + "Attribute")}
        self.assertEqual(attrs, {"VisibilityTimeout": "12", "ApproximateNumberOfMessages": "1"})
        r = self.call_query("ListQueues", [], method="GET")
        res = self.query_result(r, "ListQueues")
        self.assertEqual([u.text for u in res.findall(Q + "QueueUrl")], [url])
        r = self.call_query("GetQueueUrl", [("QueueName", "missing")], method="GET")
        self.assert_query_error(r, 400, "AWS.SimpleQueueService.NonExistentQueue",
                                "The specified queue does not exist for this wsdl version.")

    def test_unknown_action(self):
        r = self.call_query("NoSuchAction", [])
        self.assert_query_error(r, 400, "InvalidAction",
                                "The action NoSuchAction is not valid for this endpoint.")
        r = self.call_query("NoSuchAction", [], method="GET")
        self.assert_query_error(r, 400, "InvalidAction",
                                "The action NoSuchAction is not valid for this endpoint.")

    def test_form_post_without_action(self):
        # Neither an AmazonSQS. target nor Action= -> 400 query-style <ErrorResponse>
        # (InvalidAction or MissingAction; the code is kemu's pick [U]).
        for body in (b"QueueName=x&Version=2012-11-05", b"Action=&QueueName=x"):
            with self.subTest(body=body):
                r = self.request("POST", "/", body, {
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
                self.assertEqual(r.status, 400, r.raw)
                root = r.xml()
                self.assertEqual(root.tag, Q + "ErrorResponse", r.raw)
                self.assertIn(root.findtext(f"{Q}Error/{Q}Code"),
                              ("InvalidAction", "MissingAction"))
                self.assertEqual(root.findtext(f"{Q}Error/{Q}Type"), "Sender")


class PathAndHostTest(WireBase):
    # Names a container network or a proxy gives kemu are answered once allowed.
    kemu_args = ("--allow-host", "sqs.example.test", "--allow-host", "kemu",
                 "--allow-host", "docker-host")

    def test_json_posted_to_the_queue_url_path(self):
        url = self.create("pathq")
        path = f"/{ACCOUNT}/pathq"
        r = self.call_json("SendMessage", {"MessageBody": "via path"}, path=path)
        self.assertEqual(r.status, 200, r.raw)
        self.assertEqual(r.json()["MD5OfMessageBody"], hashlib.md5(b"via path").hexdigest())
        r = self.call_json("GetQueueAttributes", {"AttributeNames": ["QueueArn"]}, path=path)
        self.assertEqual(r.json(), {"Attributes": {
            "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:pathq"}})
        r = self.call_json("ReceiveMessage", {"QueueUrl": url})
        self.assertEqual([m["Body"] for m in r.json()["Messages"]], ["via path"])
        # Query protocol to the queue path works as well.
        r = self.call_query("SendMessage", [("MessageBody", "query via path")], path=path)
        self.query_result(r, "SendMessage")
        r = self.call_json("ReceiveMessage", {"QueueUrl": url})
        self.assertEqual([m["Body"] for m in r.json()["Messages"]], ["query via path"])
        # GET on the queue path with a query string.
        r = self.call_query("SendMessage", [("MessageBody", "get via path")], path=path,
                            method="GET")
        self.query_result(r, "SendMessage")
        r = self.call_query("ReceiveMessage", [], path=path, method="GET")
        msg = self.query_result(r, "ReceiveMessage").find(Q + "Message")
        self.assertEqual(msg.findtext(Q + "Body"), "get via path")
        # A missing queue in the path is QueueDoesNotExist.
        r = self.call_json("SendMessage", {"MessageBody": "x"}, path=f"/{ACCOUNT}/nope")
        self.assert_json_error(r, 400, "QueueDoesNotExist",
                               "AWS.SimpleQueueService.NonExistentQueue",
                               "The specified queue does not exist.")
        # Path and QueueUrl both given: QueueUrl wins.
        other = self.create("other")
        r = self.call_json("SendMessage", {"QueueUrl": other, "MessageBody": "to other"},
                           path=path)
        self.assertEqual(r.status, 200, r.raw)
        r = self.call_json("ReceiveMessage", {"QueueUrl": other})
        self.assertEqual([m["Body"] for m in r.json()["Messages"]], ["to other"])

    def test_queue_url_follows_the_host_header(self):
        host = "sqs.example.test:9324"
        r = self.call_json("CreateQueue", {"QueueName": "hosted"}, host=host)
        self.assertEqual(r.json()["QueueUrl"], f"http://{host}/{ACCOUNT}/hosted")
        r = self.call_json("GetQueueUrl", {"QueueName": "hosted"}, host="localhost:1234")
        self.assertEqual(r.json()["QueueUrl"], f"http://localhost:1234/{ACCOUNT}/hosted")
        r = self.call_json("ListQueues", {}, host="kemu:4566")
        self.assertEqual(r.json()["QueueUrls"], [f"http://kemu:4566/{ACCOUNT}/hosted"])
        r = self.call_query("GetQueueUrl", [("QueueName", "hosted")], host="docker-host:80")
        self.assertEqual(self.query_result(r, "GetQueueUrl").findtext(Q + "QueueUrl"),
                         f"http://docker-host:80/{ACCOUNT}/hosted")
        # A URL handed out for another host, or in AWS's own form, still addresses the queue.
        for other in (f"http://{host}/{ACCOUNT}/hosted",
                      f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/hosted"):
            r = self.call_json("SendMessage", {"QueueUrl": other, "MessageBody": other})
            self.assertEqual(r.status, 200, r.raw)
        r = self.call_json("GetQueueAttributes", {"QueueUrl": f"http://{host}/{ACCOUNT}/hosted",
                                                  "AttributeNames": [
                                                      "ApproximateNumberOfMessages"]})
        self.assertEqual(r.json(), {"Attributes": {"ApproximateNumberOfMessages": "2"}})


class LongPollTest(WireBase):
    def test_many_long_polls_do_not_block_other_requests(self):
        url = self.create("many-polls")
        n = 32
        results, errors = [None] * n, []

        def poll(i):
            try:
                results[i] = self.call_json("ReceiveMessage", {"QueueUrl": url,
                                                               "WaitTimeSeconds": 3})
            except Exception as e:  # reported by the main thread
                errors.append(e)
        threads = [threading.Thread(target=poll, args=(i,)) for i in range(n)]
        start = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(0.5)
        # Long polls hold no thread: other requests answer at once while they wait.
        t0 = time.monotonic()
        self.assertEqual(self.call_json("ListQueues", {}).json()["QueueUrls"], [url])
        r = self.call_json("SendMessage", {"QueueUrl": url, "MessageBody": "only one"})
        self.assertEqual(r.status, 200, r.raw)
        self.assertLess(time.monotonic() - t0, 1.0)
        for t in threads:
            t.join(timeout=15)
        elapsed = time.monotonic() - start
        self.assertEqual(errors, [])
        self.assertTrue(all(r is not None and r.status == 200 for r in results))
        bodies = [r.json() for r in results]
        winners = [b for b in bodies if b]
        self.assertEqual(len(winners), 1, "exactly one poll gets the one message")
        self.assertEqual([m["Body"] for m in winners[0]["Messages"]], ["only one"])
        self.assertEqual(bodies.count({}), n - 1)
        self.assertGreaterEqual(elapsed, 2.9)  # the others waited out their 3 s
        self.assertLess(elapsed, 6.0)


if __name__ == "__main__":
    run_main()
