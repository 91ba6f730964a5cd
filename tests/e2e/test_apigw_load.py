"""API Gateway front door under load and odd input: records written through the front door
read back byte-exact through the Kinesis API (boto3); many concurrent clients never lose or
duplicate a record that got a 200; malformed requests never take kemu down."""

import collections
import http.client
import json
import random
import socket
import threading

from apigw_support import ApigwTestCase
from kemu_harness import run_main

CLIENTS = 24
ROUNDS = 40       # per client; every other round is a batch
BATCH = 7


class ByteExactTest(ApigwTestCase):
    def test_single_events_are_stored_byte_for_byte(self):
        payloads = [
            b'{"a":1}',
            b'  {\n\t"spaced" :  [1, 2 ,3]  }  \r\n',
            '{"emoji": "\U0001F600", "accents": "\u00e9\u00e8", "cjk": "\u4e2d"}'.encode(),
            b'{"escaped": "quote \\" backslash \\\\ newline \\n tab \\t \\u0000"}',
            b"not json at all, still application/json",
            b"\x00\x01\x02\xff\xfe binary",
            b'{"big": "' + b"z" * 700_000 + b'"}',
        ]
        ids = []
        for p in payloads:
            r = self.call("POST", "/v1/events/user_activity", p)
            self.assertEqual(r.status, 200, r.body)
            ids.append(r.header("x-amzn-RequestId"))
        recs = self.read_all("dev-user_activity-stream")
        self.assertEqual([bytes(x["Data"]) for x in recs], payloads)
        self.assertEqual([x["PartitionKey"] for x in recs], ids)

    def test_batch_strings_are_stored_as_their_utf8_bytes(self):
        datas = ["plain", "caf\u00e9", "\U0001F680 rocket", "line\nbreak \"quoted\" \\ slash",
                 json.dumps({"nested": {"json": [1, 2]}}), ""]
        body = {"records": [{"data": d, "partitionKey": f"pk-{i}"} for i, d in enumerate(datas)]}
        r = self.call("POST", "/v1/events/batch/user_activity", json.dumps(body))
        self.assertEqual(r.status, 200, r.body)
        out = r.json()
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertEqual(len(out["Records"]), len(datas))
        recs = self.read_all("dev-user_activity-stream")
        self.assertEqual([bytes(x["Data"]) for x in recs], [d.encode() for d in datas])
        self.assertEqual([x["PartitionKey"] for x in recs], [f"pk-{i}" for i in range(len(datas))])
        self.assertEqual([x["SequenceNumber"] for x in recs],
                         [e["SequenceNumber"] for e in out["Records"]])


class ConcurrentLoadTest(ApigwTestCase):
    def test_concurrent_clients_never_lose_or_duplicate_acknowledged_records(self):
        acked = collections.Counter()
        refused = collections.Counter()
        errors = []
        lock = threading.Lock()

        def client(n):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            mine, not_mine = [], []
            try:
                for i in range(ROUNDS):
                    if i % 2 == 0:
                        payload = json.dumps({"client": n, "seq": i}).encode()
                        conn.request("POST", "/v1/events/orders", body=payload,
                                     headers={"Content-Type": "application/json"})
                        r = conn.getresponse()
                        body = r.read()
                        (mine if r.status == 200 else not_mine).append(payload)
                        if r.status != 200:
                            errors.append((r.status, body[:200]))
                    else:
                        datas = [json.dumps({"client": n, "seq": i, "k": k}) for k in range(BATCH)]
                        body = json.dumps({"records": [
                            {"data": d, "partitionKey": f"c{n}-{i}-{k}"}
                            for k, d in enumerate(datas)]})
                        conn.request("POST", "/v1/events/batch/orders", body=body,
                                     headers={"Content-Type": "application/json"})
                        r = conn.getresponse()
                        raw = r.read()
                        if r.status != 200:
                            errors.append((r.status, raw[:200]))
                            not_mine.extend(d.encode() for d in datas)
                            continue
                        for d, e in zip(datas, json.loads(raw)["Records"]):
                            (mine if "SequenceNumber" in e else not_mine).append(d.encode())
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(("exception", repr(e)))
            finally:
                conn.close()
            with lock:
                acked.update(mine)
                refused.update(not_mine)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
            self.assertFalse(t.is_alive(), "a client did not finish within 120 s")
        self.assertEqual(errors, [])
        expected = CLIENTS * (ROUNDS // 2) * (1 + BATCH)
        self.assertEqual(sum(acked.values()), expected)
        stored = collections.Counter(bytes(x["Data"]) for x in self.read_all("dev-orders-stream"))
        self.assertEqual(max(stored.values()), 1, "a record was stored twice")
        self.assertEqual(stored, acked)
        m = [e for e in self.access_log() if e["status"] == "200"]
        self.assertEqual(len(m), CLIENTS * ROUNDS)


class MalformedInputTest(ApigwTestCase):
    def raw(self, data, read=True):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(data)
            if not read:
                return b""
            chunks = []
            try:
                while True:
                    c = s.recv(65536)
                    if not c:
                        break
                    chunks.append(c)
                    if b"\r\n\r\n" in b"".join(chunks):
                        break
            except socket.timeout:
                pass
            return b"".join(chunks)

    def test_odd_requests_get_answers_and_kemu_stays_up(self):
        rnd = random.Random(5)
        cases = [
            ("POST", "/v1/events/batch/orders", b'{"records": [' + b'{"data":"x"},' * 600 + b'{}]}'),
            ("POST", "/v1/events/batch/orders", b'{"records": {"data": 1}}'),
            ("POST", "/v1/events/batch/orders", b'{"records": [1, "s", null, [], {"data": null}]}'),
            ("POST", "/v1/events/batch/orders", b'{"records": [{"data": 1e400, "partitionKey": 2}]}'),
            ("POST", "/v1/events/batch/orders", b'[' * 5000),
            ("POST", "/v1/events/batch/orders", bytes(rnd.randrange(256) for _ in range(4096))),
            ("POST", "/v1/events/%zz%", b"{}"),
            ("POST", "/v1/events/%00", b"{}"),
            ("POST", "/v1/events/" + "a" * 5000, b"{}"),
            ("POST", "/v1/events/batch/" + "%2F" * 10, b"{}"),
            ("BREW", "/v1/events/orders", b"{}"),
            ("POST", "/v1/events/orders?x=1&Action", b"{}"),
        ]
        for method, path, body in cases:
            r = self.call(method, path, body)
            self.assertIn(r.status, (200, 400, 403, 404, 413, 431), (method, path, r.body[:200]))
            self.assertTrue(r.header("x-amzn-RequestId"))
        # Broken HTTP framing on the raw socket.
        self.raw(b"POST /v1/events/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}",
                 read=False)
        self.raw(b"GARBAGE\r\n\r\n")
        self.raw(b"POST /v1/events/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"zz\r\n")
        self.assertEqual(self.call("POST", "/v1/events/orders", b"{}").status, 200)


if __name__ == "__main__":
    run_main()
