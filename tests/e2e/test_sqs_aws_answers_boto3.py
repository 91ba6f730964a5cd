"""kemu SQS where AWS was recorded answering otherwise than kemu once did, through boto3 under
both Pythons CTest runs it with: boto3 1.43 (JSON 1.0 protocol) and Debian's boto3 1.26 (query
protocol, XML). docs/aws/sqs.md records each answer.

Run: python3 tests/e2e/test_sqs_aws_answers_boto3.py   (KEMU_BIN=... to pick the binary)
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_sqs_boto3 as base  # noqa: E402
from kemu_harness import run_main, wait_until  # noqa: E402

IPV = base.IPV
TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
SSE_BOTH = ("You can use one type of server-side encryption (SSE) at one time. You can either "
            "enable KMS SSE or SQS SSE.")


def group_error(value):
    return (f"Value {value} for parameter MessageGroupId is invalid. Reason: MessageGroupId can "
            "only include alphanumeric and punctuation characters. 1 to 128 in length.")


class AwsAnswersTest(base.SqsBase):
    def with_trace_header(self, client):
        """Every send of `client` carries the X-Amzn-Trace-Id HTTP header."""
        def add(request, **_):
            request.headers["X-Amzn-Trace-Id"] = TRACE
        for op in ("SendMessage", "SendMessageBatch"):
            client.meta.events.register(f"before-sign.sqs.{op}", add)

    def test_change_visibility_after_the_timeout_ran_out_answers_200(self):
        url = self.create("expired")
        self.c.send_message(QueueUrl=url, MessageBody="m")
        h = self.receive(url, VisibilityTimeout=1)[0]["ReceiptHandle"]
        time.sleep(1.3)
        out = self.c.change_message_visibility(QueueUrl=url, ReceiptHandle=h,
                                               VisibilityTimeout=60)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        batch = self.c.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": h, "VisibilityTimeout": 60}])
        self.assertEqual([e["Id"] for e in batch["Successful"]], ["a"])
        self.assertEqual(batch.get("Failed", []), [])
        # Nothing changed: the message is visible, and a receive gets it again.
        self.assertEqual(self.counts(url), (1, 0, 0))
        again = self.receive(url, AttributeNames=["ApproximateReceiveCount"])
        self.assertEqual(again[0]["Attributes"], {"ApproximateReceiveCount": "2"})

    def test_batch_entry_over_maximum_message_size_cannot_be_validated(self):
        url = self.create("small-batch", Attributes={"MaximumMessageSize": "1024"})
        out = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "big", "MessageBody": "x" * 1025}])
        f = out["Failed"][0]
        self.assertEqual(f["Code"], "InvalidParameterValue")
        self.assertEqual(f["Message"], "One or more parameters cannot be validated. Reason: "
                                       "Message must be shorter than 1024 bytes.")

    def test_first_receive_from_the_dlq_continues_the_receive_count(self):
        self.create("count-dlq")
        policy = json.dumps({"deadLetterTargetArn": self.arn("count-dlq"), "maxReceiveCount": 1})
        src = self.create("count-src", Attributes={"RedrivePolicy": policy})
        self.c.send_message(QueueUrl=src, MessageBody="poison")
        self.assertEqual(len(self.receive(src, VisibilityTimeout=1)), 1)
        dlq = self.url("count-dlq")
        wait_until(lambda: not self.receive(src) and self.counts(dlq)[0] == 1, 6, interval=0.2,
                   what="the message to move to the DLQ")
        got = self.receive(dlq, AttributeNames=["All"])
        self.assertEqual(got[0]["Attributes"]["ApproximateReceiveCount"], "2")

    def test_sse_attributes(self):
        url = self.create("sse")
        self.assertEqual(self.attrs(url)["SqsManagedSseEnabled"], "true")
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
        a = self.attrs(url)
        self.assertEqual(a["KmsMasterKeyId"], "alias/aws/sqs")
        self.assertEqual(a["KmsDataKeyReusePeriodSeconds"], "300")
        self.assertEqual(a["SqsManagedSseEnabled"], "false")
        self.c.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
        a = self.attrs(url)
        self.assertNotIn("KmsMasterKeyId", a)
        self.assertEqual(a["SqsManagedSseEnabled"], "false")
        both = {"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"}
        self.assert_error("InvalidAttributeName", SSE_BOTH, self.c.set_queue_attributes,
                          exc="InvalidAttributeName", QueueUrl=url, Attributes=both)
        self.assert_error("InvalidAttributeName", SSE_BOTH, self.c.create_queue,
                          exc="InvalidAttributeName", QueueName="sse-both", Attributes=both)

    def test_fifo_attributes_on_a_standard_queue(self):
        url = self.create("std")
        for fn, kw in ((self.c.create_queue, {"QueueName": "std-fifo-attr"}),
                       (self.c.set_queue_attributes, {"QueueUrl": url})):
            self.assert_error("InvalidAttributeName", "Unknown Attribute FifoQueue.", fn,
                              exc="InvalidAttributeName", Attributes={"FifoQueue": "false"}, **kw)
            for name, value in (("DeduplicationScope", "messageGroup"),
                                ("FifoThroughputLimit", "perMessageGroupId")):
                self.assert_error("InvalidAttributeName",
                                  f"You can specify the {name} only when FifoQueue is set to "
                                  "true.", fn, exc="InvalidAttributeName",
                                  Attributes={name: value}, **kw)

    def test_message_attribute_names_star_all_and_prefix(self):
        url = self.create("attr-patterns")
        attrs = {"Hello": {"DataType": "String", "StringValue": "w"},
                 "Help": {"DataType": "Number", "StringValue": "1"},
                 "Other": {"DataType": "String", "StringValue": "o"}}
        self.c.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attrs)
        hel = {k: attrs[k] for k in ("Hello", "Help")}
        for names, want in ((["*"], attrs), (["All"], attrs), (["Hel.*"], hel)):
            m = self.receive(url, MessageAttributeNames=names, VisibilityTimeout=0)[0]
            self.assertEqual(m["MessageAttributes"], want, names)
            self.assertEqual(m["MD5OfMessageAttributes"], base.md5_of_attributes(want), names)

    def test_trace_header_from_the_http_header_survives_a_restart(self):
        url = self.create("trace-header")
        self.with_trace_header(self.c)
        out = self.c.send_message(QueueUrl=url, MessageBody="one")
        self.assertEqual(out["MD5OfMessageSystemAttributes"], base.md5_of_attributes(
            {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}))
        self.c.send_message_batch(QueueUrl=url, Entries=[{"Id": "b", "MessageBody": "two"}])
        self.assertEqual(self.kemu.stop(), 0, self.kemu.stderr_tail())
        self.kemu.start()
        self.c = self.client()
        url = self.url("trace-header")
        for names in (["All"], ["AWSTraceHeader"]):
            got = self.receive(url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                               AttributeNames=names)
            self.assertEqual(sorted(m["Body"] for m in got), ["one", "two"])
            for m in got:
                self.assertEqual(m["Attributes"]["AWSTraceHeader"], TRACE)

    def test_message_group_id_on_a_standard_queue(self):
        url = self.create("groups")
        self.c.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="tenant-1")
        for names in (["All"], ["MessageGroupId"]):
            m = self.receive(url, VisibilityTimeout=0, AttributeNames=names)[0]
            self.assertEqual(m["Attributes"]["MessageGroupId"], "tenant-1")
        for bad in ("", "g" * 129, "group 123"):
            self.assert_error(IPV, group_error(bad), self.c.send_message, QueueUrl=url,
                              MessageBody="m", MessageGroupId=bad)
        # In a batch, an invalid value fails its own entry (HTTP 200).
        out = self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "MessageBody": "m", "MessageGroupId": "g"},
            {"Id": "bad", "MessageBody": "m", "MessageGroupId": "group 123"}])
        self.assertEqual([e["Id"] for e in out["Successful"]], ["ok"])
        f = out["Failed"][0]
        self.assertEqual((f["Id"], f["Code"], f["Message"]),
                         ("bad", "InvalidParameterValue", group_error("group 123")))


if __name__ == "__main__":
    run_main()
