"""kemu SQS durability: after `kill -9` (or an orderly SIGTERM) and a restart on the same data
dir, every undeleted message is still there with its body, attributes, MD5s, timestamps and
receive count; in-flight and delayed messages keep their timers; no deleted message, purged
message or deleted queue comes back (deleted DLQ messages coming back after a restart is a
known bug of other emulators).

Run: python3 tests/e2e/test_sqs_durability.py
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kemu_harness import ACCOUNT, REGION, KemuTestCase, run_main, sqs_client  # noqa: E402

IN_FLIGHT_S = 6  # visibility of the messages left in flight across the crash
DELAY_S = 6


def attrs_for(i):
    a = {"index": {"DataType": "Number", "StringValue": str(i)},
         "label": {"DataType": "String", "StringValue": f"ünï-{i}"}}
    if i % 3 == 0:
        a["blob"] = {"DataType": "Binary", "BinaryValue": bytes([i % 256, 0, 255]) * (i % 7 + 1)}
    return a


class MessageDurabilityTest(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.connect()

    def connect(self):
        self.c = sqs_client(self.endpoint)
        self.addCleanup(self.c.close)

    def restart(self, crash):
        if crash:
            self.kemu.kill9()
        else:
            self.assertEqual(self.kemu.stop(), 0, self.kemu.stderr_tail())
        self.kemu.start()
        self.connect()

    def url(self, name):
        return f"{self.endpoint}/{ACCOUNT}/{name}"

    def counts(self, url):
        a = self.c.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))

    def drain(self, url, expect, timeout=15.0):
        """Receive (30 s visibility) until `expect` distinct messages came back or time runs
        out; returns {MessageId: message}. A duplicate delivery fails the test."""
        got = {}
        deadline = time.monotonic() + timeout
        while len(got) < expect and time.monotonic() < deadline:
            for m in self.c.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                            WaitTimeSeconds=1, AttributeNames=["All"],
                                            MessageAttributeNames=["All"]).get("Messages", []):
                self.assertNotIn(m["MessageId"], got, "message delivered twice")
                got[m["MessageId"]] = m
        return got

    def populate(self):
        """Queue `dur` with 30 messages, all received once: 10 then deleted, 5 left in flight
        (count 1), 15 received a second time and made visible again (count 2); plus one
        delayed message never received. Returns the expectations."""
        policy = json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dur-dlq",
                             "maxReceiveCount": 5})
        self.c.create_queue(QueueName="dur-dlq")
        url = self.c.create_queue(QueueName="dur", Attributes={
            "VisibilityTimeout": "30", "MessageRetentionPeriod": "86400",
            "ReceiveMessageWaitTimeSeconds": "1", "RedrivePolicy": policy},
            tags={"team": "kemu"})["QueueUrl"]
        sent = {}  # MessageId -> (body, attributes, send response)
        for i in range(10):
            body = f"single-{i} <&> \r\n ünï"
            out = self.c.send_message(QueueUrl=url, MessageBody=body,
                                      MessageAttributes=attrs_for(i))
            sent[out["MessageId"]] = (body, attrs_for(i), out)
        for b in range(2):
            entries = [{"Id": f"e{j}", "MessageBody": f"batch-{b}-{j}",
                        "MessageAttributes": attrs_for(100 + 10 * b + j)} for j in range(10)]
            out = self.c.send_message_batch(QueueUrl=url, Entries=entries)
            self.assertEqual(len(out["Successful"]), 10)
            for e, r in zip(sorted(entries, key=lambda e: e["Id"]),
                            sorted(out["Successful"], key=lambda r: r["Id"])):
                sent[r["MessageId"]] = (e["MessageBody"], e["MessageAttributes"], r)

        received = self.drain(url, 30)
        self.assertEqual(set(received), set(sent))
        ids = sorted(received)
        deleted, in_flight, visible = ids[:10], ids[10:15], ids[15:]
        for mid in deleted[:4]:
            self.c.delete_message(QueueUrl=url, ReceiptHandle=received[mid]["ReceiptHandle"])
        out = self.c.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": f"d{n}", "ReceiptHandle": received[mid]["ReceiptHandle"]}
            for n, mid in enumerate(deleted[4:])])
        self.assertEqual(len(out["Successful"]), 6)
        for mid in visible:
            self.c.change_message_visibility(QueueUrl=url,
                                             ReceiptHandle=received[mid]["ReceiptHandle"],
                                             VisibilityTimeout=0)
        timers_from = time.monotonic()
        for mid in in_flight:
            self.c.change_message_visibility(QueueUrl=url,
                                             ReceiptHandle=received[mid]["ReceiptHandle"],
                                             VisibilityTimeout=IN_FLIGHT_S)
        # A second receive, so these differ from the in-flight ones by their count.
        again = self.drain(url, 15)
        self.assertEqual(set(again), set(visible))
        for mid in visible:
            self.c.change_message_visibility(QueueUrl=url,
                                             ReceiptHandle=again[mid]["ReceiptHandle"],
                                             VisibilityTimeout=0)
        delayed = self.c.send_message(QueueUrl=url, MessageBody="delayed",
                                      DelaySeconds=DELAY_S)["MessageId"]
        self.assertEqual(self.counts(url), (15, 5, 1))
        return {"url": url, "sent": sent, "first": received, "deleted": deleted,
                "visible": visible, "in_flight": in_flight, "delayed": delayed,
                "timers_from": timers_from}

    def check(self, exp):
        url = self.url("dur")
        self.assertEqual(self.c.get_queue_url(QueueName="dur")["QueueUrl"], url)
        a = self.c.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(a["VisibilityTimeout"], "30")
        self.assertEqual(a["MessageRetentionPeriod"], "86400")
        self.assertEqual(a["ReceiveMessageWaitTimeSeconds"], "1")
        self.assertEqual(json.loads(a["RedrivePolicy"])["maxReceiveCount"], 5)
        self.assertEqual(self.c.list_queue_tags(QueueUrl=url)["Tags"], {"team": "kemu"})
        # In flight and delayed stay hidden until their timers run out (checked well before).
        self.assertLess(time.monotonic() - exp["timers_from"], min(IN_FLIGHT_S, DELAY_S) - 1,
                        "restart took too long to check the timers")
        self.assertEqual(self.counts(url), (15, 5, 1))

        got = self.drain(url, 15 + 5 + 1, timeout=IN_FLIGHT_S + DELAY_S + 10)
        self.assertEqual(set(got), set(exp["visible"]) | set(exp["in_flight"]) |
                         {exp["delayed"]})
        self.assertFalse(set(got) & set(exp["deleted"]), "a deleted message came back")
        for mid, m in got.items():
            if mid == exp["delayed"]:
                self.assertEqual(m["Body"], "delayed")
                self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
                continue
            body, attrs, send_out = exp["sent"][mid]
            first = exp["first"][mid]
            self.assertEqual(m["Body"], body)
            self.assertEqual(m["MD5OfBody"], send_out["MD5OfMessageBody"])
            self.assertEqual(m["MessageAttributes"], attrs)
            self.assertEqual(m["MD5OfMessageAttributes"], send_out["MD5OfMessageAttributes"])
            self.assertEqual(m["Attributes"]["SentTimestamp"], first["Attributes"]["SentTimestamp"])
            self.assertEqual(m["Attributes"]["ApproximateFirstReceiveTimestamp"],
                             first["Attributes"]["ApproximateFirstReceiveTimestamp"])
            count = 2 if mid in exp["in_flight"] else 3
            self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], str(count), mid)
        self.assertEqual(self.counts(url), (0, 21, 0))

    def test_messages_survive_kill9(self):
        exp = self.populate()
        self.restart(crash=True)
        self.check(exp)

    def test_messages_survive_orderly_stop(self):
        exp = self.populate()
        self.restart(crash=False)
        self.check(exp)

    def test_deletes_made_after_a_restart_stick_through_the_next_crash(self):
        url = self.c.create_queue(QueueName="twice")["QueueUrl"]
        self.c.send_message_batch(QueueUrl=url, Entries=[
            {"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(6)])
        self.restart(crash=True)
        got = self.drain(self.url("twice"), 6)
        self.assertEqual(len(got), 6)
        keep = sorted(got)[:2]
        for mid in sorted(got)[2:]:
            self.c.delete_message(QueueUrl=self.url("twice"),
                                  ReceiptHandle=got[mid]["ReceiptHandle"])
        for mid in keep:
            self.c.change_message_visibility(QueueUrl=self.url("twice"),
                                             ReceiptHandle=got[mid]["ReceiptHandle"],
                                             VisibilityTimeout=0)
        self.c.send_message(QueueUrl=self.url("twice"), MessageBody="after first restart")
        self.restart(crash=True)
        got2 = self.drain(self.url("twice"), 3)
        self.assertEqual(sorted(m["Body"] for m in got2.values()),
                         sorted([got[k]["Body"] for k in keep] + ["after first restart"]))
        self.assertEqual(self.counts(self.url("twice")), (0, 3, 0))


class PurgeAndDeleteDurabilityTest(KemuTestCase):
    def setUp(self):
        super().setUp()
        self.c = sqs_client(self.endpoint)
        self.addCleanup(self.c.close)

    def _restart(self, crash):
        if crash:
            self.kemu.kill9()
        else:
            self.assertEqual(self.kemu.stop(), 0, self.kemu.stderr_tail())
        self.kemu.start()
        self.c = sqs_client(self.endpoint)
        self.addCleanup(self.c.close)

    def _run(self, crash):
        purged = self.c.create_queue(QueueName="purged")["QueueUrl"]
        doomed = self.c.create_queue(QueueName="doomed")["QueueUrl"]
        kept = self.c.create_queue(QueueName="kept")["QueueUrl"]
        for url in (purged, doomed, kept):
            self.c.send_message_batch(QueueUrl=url, Entries=[
                {"Id": f"e{i}", "MessageBody": f"{url}-{i}"} for i in range(5)])
        self.assertEqual(len(self.c.receive_message(QueueUrl=purged, MaxNumberOfMessages=2)
                             .get("Messages", [])), 2)
        self.c.purge_queue(QueueUrl=purged)
        self.c.delete_queue(QueueUrl=doomed)
        self._restart(crash)
        base = f"{self.endpoint}/{ACCOUNT}/"
        urls = sorted(self.c.list_queues().get("QueueUrls", []))
        self.assertEqual(urls, [base + "kept", base + "purged"])
        with self.assertRaises(self.c.exceptions.QueueDoesNotExist):
            self.c.get_queue_url(QueueName="doomed")
        a = self.c.get_queue_attributes(QueueUrl=base + "purged", AttributeNames=["All"])
        a = a["Attributes"]
        self.assertEqual((a["ApproximateNumberOfMessages"],
                          a["ApproximateNumberOfMessagesNotVisible"]), ("0", "0"))
        self.assertEqual(self.c.receive_message(QueueUrl=base + "purged", MaxNumberOfMessages=10,
                                                WaitTimeSeconds=1).get("Messages", []), [])
        got = self.c.receive_message(QueueUrl=base + "kept", MaxNumberOfMessages=10)
        self.assertEqual(len(got["Messages"]), 5)
        # The recreated name starts empty: no messages of the deleted queue come back.
        url = self.c.create_queue(QueueName="doomed")["QueueUrl"]
        self.assertEqual(self.c.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
                         .get("Messages", []), [])

    def test_purged_and_deleted_queues_stay_so_after_kill9(self):
        self._run(crash=True)

    def test_purged_and_deleted_queues_stay_so_after_orderly_stop(self):
        self._run(crash=False)


if __name__ == "__main__":
    run_main()
