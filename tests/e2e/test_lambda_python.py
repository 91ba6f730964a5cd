"""The Lambda runner end to end with real Python handlers: `kemu up -c kemu.yaml` starts each
flow's processor (subprocess environments running the handler through kemu's bootstrap) and its
event source mapping from the flow's stream, failures going to the flow's DLQ.
Checks the Kinesis event a handler receives (every record field, in AWS's order); what a failing
batch does to its shard (retries, bisection, partial batch responses, checkpoints); the on-failure
record Lambda writes to the DLQ, read back with boto3; and the execution environment as Lambda
runs it (environment variables, the context object, warm reuse and resets, the START/END/REPORT
log lines). docs/aws/lambda.md describes what AWS does. Handlers append what they see to
<tmp>/out/<type>.jsonl."""

import http.client
import json
import os
import re
import time

from kemu_harness import PY_PRELUDE, REGION, UUID_RE, LambdaTestCase, run_main, wait_until

# One handler for most flows; what it does depends on each record's data.
BEHAVIOUR = PY_PRELUDE + '''
import logging
import sys
import tempfile
import time

COUNT = 0


def process_event(event, context):
    global COUNT
    COUNT += 1
    recs = summary(event)
    record(phase="start", rid=context.aws_request_id, pid=_os.getpid(), count=COUNT, records=recs)
    failed = []
    for r in recs:
        d = r["data"]
        if d == "poison":
            raise ValueError("poison record " + r["seq"])
        if d.startswith("sleep:"):
            time.sleep(float(d[len("sleep:"):].split("#")[0]))
        if d == "exit1":
            print("about to os._exit(1)")
            _os._exit(1)
        if d == "sysexit":
            print("about to sys.exit(2)")
            sys.exit(2)
        if d == "hog":
            hog = []
            for _ in range(300):
                b = bytearray(1 << 20)
                b[::4096] = b"x" * 256
                hog.append(b)
            record(phase="allocated", rid=context.aws_request_id, mb=len(hog))
        if d == "write-tmp":
            with open(_os.path.join(tempfile.gettempdir(), "kept.txt"), "w") as f:
                f.write("kept")
        if d == "read-tmp":
            kept = _os.path.join(tempfile.gettempdir(), "kept.txt")
            record(phase="tmp", exists=_os.path.exists(kept), tmpdir=tempfile.gettempdir())
        if d.startswith("fail-item"):
            failed.append({"itemIdentifier": r["seq"]})
    record(phase="done", rid=context.aws_request_id, pid=_os.getpid(), count=COUNT, records=recs)
    return {"batchItemFailures": failed}
'''

SHAPE = PY_PRELUDE + '''
import logging

ENV_KEYS = ["_HANDLER", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
            "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "TZ", "LANG", "EVENT_TYPE", "ENVIRONMENT", "STREAM_NAME",
            "_X_AMZN_TRACE_ID", "AWS_XRAY_CONTEXT_MISSING"]


def process_event(event, context):
    ctx = {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "client_context_is_none": context.client_context is None,
    }
    print("hello from shape " + context.aws_request_id)
    logging.warning("warned from shape")
    record(event=event, ctx=ctx, env={k: _os.environ.get(k) for k in ENV_KEYS},
           env_keys=sorted(_os.environ), cwd=_os.getcwd(), pid=_os.getpid())
    return {"ok": True}
'''

REPORT_RE = re.compile(r"^REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: (?P<dur>\d+\.\d{2}) ms"
                       r"\tBilled Duration: \d+ ms\tMemory Size: (?P<mem>\d+) MB"
                       r"\tMax Memory Used: (?P<used>\d+) MB"
                       r"(?:\tInit Duration: (?P<init>\d+\.\d{2}) ms)?$")


def process_state(pid):
    """'R', 'S', 'Z', ... from /proc/<pid>/stat, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None


def starts(seen):
    return [s for s in seen if s.get("phase") == "start"]


def dones(seen):
    return [s for s in seen if s.get("phase") == "done"]


def datas(entry):
    return [r["data"] for r in entry["records"]]


def attempts_with(seen, data):
    return [s for s in starts(seen) if data in datas(s)]


def done_data(seen):
    return [d for s in dones(seen) for d in datas(s)]


class LambdaPythonTest(LambdaTestCase):

    def report(self, event_type, rid):
        line = self.report_line(event_type, rid)
        m = REPORT_RE.match(line)
        self.assertIsNotNone(m, f"REPORT line not in AWS's format: {line!r}")
        return m

    def gate_then(self, event_type, items):
        """Puts a record whose handler sleeps 1.5 s, and while it runs puts `items` in one
        PutRecords call, so that they all wait in the shard and form one batch."""
        self.put(event_type, "sleep:1.5", "gate")
        self.wait_seen(event_type, lambda s: attempts_with(s, "sleep:1.5"), 10, "the gate record")
        puts = self.put_many(event_type, items)
        return puts

    # 1. The event (one shard per batch, records in order, every field), the environment
    #    variables, the context object and the function log lines.
    def test_event_context_environment_and_logs_match_aws(self):
        self.add_flow("shape", {"handler.py": SHAPE}, shard_count=2, lambda_memory_size=192,
                      lambda_timeout=7)
        os.environ["AWS_SAM_LOCAL"] = "true"  # in kemu's own environment: must not leak
        os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "99"
        os.environ["LOCALSTACK_HOSTNAME"] = "localhost"
        self.start_kemu()
        puts = [
            self.put("shape", b'{"type":"order_created","id":7781,"qty":2}', "order-7781"),
            self.put("shape", b"\x00\xff\xfe binary\n\x80", "order-7782"),
            self.put("shape", "caf\u00e9".encode(), "\u043a\u043b\u044e\u0447-\u2713-\U0001F600"),
            self.put("shape", b"x" * 3, "a" * 256),
        ]
        puts += self.put_many("shape", [(f"many-{i}", f"pk-{i % 5}") for i in range(8)])
        by_seq = {p["SequenceNumber"]: p for p in puts}
        self.assertEqual(len(by_seq), len(puts))
        seen = self.wait_seen("shape", lambda s: sum(len(x["event"]["Records"]) for x in s)
                              >= len(puts), 20, "every record delivered")
        delivered = [r["kinesis"]["sequenceNumber"] for x in seen for r in x["event"]["Records"]]
        self.assertEqual(sorted(delivered), sorted(by_seq), "each record exactly once")
        shards_used = set()
        request_ids = set()
        pids = set()
        code_root = os.path.realpath(self.code_dir("shape"))
        for inv in seen:
            event = inv["event"]
            self.assertEqual(list(event), ["Records"])
            recs = event["Records"]
            self.assertGreaterEqual(len(recs), 1)
            shard_ids = {r["eventID"].split(":")[0] for r in recs}
            self.assertEqual(len(shard_ids), 1, f"one invocation mixes shards: {shard_ids}")
            shards_used |= shard_ids
            seqs = [int(r["kinesis"]["sequenceNumber"]) for r in recs]
            self.assertEqual(seqs, sorted(seqs), "records not in sequence order")
            self.assertEqual(len(set(seqs)), len(seqs))
            for r in recs:
                self.assert_kinesis_record(r, by_seq[r["kinesis"]["sequenceNumber"]], "shape")
            # The context object: request id, function name/version/ARN, memory as a string,
            # log group/stream, no identity or client context, remaining time.
            ctx = inv["ctx"]
            self.assertEqual(ctx["function_name"], "dev-shape-processor")
            self.assertEqual(ctx["function_version"], "$LATEST")
            self.assertEqual(ctx["invoked_function_arn"], self.function_arn("shape"))
            self.assertEqual(ctx["memory_limit_in_mb"], "192")  # a str, as awslambdaric
            self.assertRegex(ctx["aws_request_id"], UUID_RE)
            request_ids.add(ctx["aws_request_id"])
            self.assertEqual(ctx["log_group_name"], "/aws/lambda/dev-shape-processor")
            self.assertRegex(ctx["log_stream_name"], r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
            self.assertIsInstance(ctx["remaining"], int)
            self.assertLessEqual(ctx["remaining"], 7000)
            self.assertGreater(ctx["remaining"], 5000)
            self.assertTrue(ctx["client_context_is_none"])
            # The environment Lambda sets for the runtime (and none of the emulator-only vars).
            env = inv["env"]
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "dev-shape-processor")
            self.assertEqual(env["AWS_REGION"], REGION)
            self.assertEqual(env["AWS_DEFAULT_REGION"], REGION)
            self.assertEqual(env["EVENT_TYPE"], "shape")
            self.assertEqual(env["ENVIRONMENT"], "dev")
            self.assertEqual(env["STREAM_NAME"], "dev-shape-stream")
            self.assertEqual(os.path.realpath(env["LAMBDA_TASK_ROOT"]), code_root)
            self.assertEqual(os.path.realpath(inv["cwd"]), code_root)
            self.assertEqual(env["TZ"], ":UTC")
            self.assertEqual(env["_HANDLER"], "handler.process_event")
            self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
            self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.11")
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "192")
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
            self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand")
            self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/dev-shape-processor")
            self.assertEqual(env["AWS_LAMBDA_LOG_STREAM_NAME"], ctx["log_stream_name"])
            self.assertEqual(env["LANG"], "en_US.UTF-8")
            self.assertEqual(env["AWS_XRAY_CONTEXT_MISSING"], "LOG_ERROR")
            self.assertTrue(env["_X_AMZN_TRACE_ID"].startswith("Root=1-"), env["_X_AMZN_TRACE_ID"])
            for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                self.assertTrue(env[k], k)
            for k in ("AWS_LAMBDA_FUNCTION_TIMEOUT", "AWS_SAM_LOCAL", "AWS_ACCOUNT_ID",
                      "AWS_LAMBDA_FUNCTION_HANDLER"):
                self.assertNotIn(k, inv["env_keys"], f"emulator-only variable {k} is set")
            self.assertEqual([k for k in inv["env_keys"] if k.startswith("LOCALSTACK")], [])
            pids.add(inv["pid"])
        self.assertEqual(len(request_ids), len(seen), "request ids repeat")
        self.assertEqual(shards_used, {p["ShardId"] for p in puts})

        # Function log lines (START, handler output, END, REPORT): the file under the data dir
        # and kemu's stdout with the function's prefix.
        # The records file can be read before the END of the last invocation is logged: wait for
        # every REPORT line first, then read the log once.
        reports = {rid: self.report("shape", rid) for rid in request_ids}
        log = self.function_log("shape").splitlines()
        cold = 0
        for rid in request_ids:
            rep = reports[rid]
            self.assertEqual(rep.group("mem"), "192")
            cold += rep.group("init") is not None
            start = log.index(f"START RequestId: {rid} Version: $LATEST")
            hello = log.index(f"hello from shape {rid}")
            warn = [i for i, line in enumerate(log)
                    if re.match(r"^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + rid +
                                r"\twarned from shape$", line)]
            self.assertEqual(len(warn), 1, f"no line in the Lambda log format for {rid}: {log}")
            end = log.index(f"END RequestId: {rid}")
            report = [i for i, line in enumerate(log) if line.startswith(f"REPORT RequestId: {rid}\t")]
            self.assertTrue(start < hello < end < report[0] and start < warn[0] < end, log)
            self.kemu.wait_line(lambda l, rid=rid: l == f"[dev-shape-processor] START RequestId: "
                                f"{rid} Version: $LATEST", 5, f"START of {rid} on stdout")
            self.kemu.wait_line(lambda l, rid=rid: l == f"[dev-shape-processor] hello from shape {rid}",
                                5, f"the handler's print for {rid} on stdout")
        self.assertEqual(cold, len(pids), "one Init Duration per environment started")

    # 2a. A function error retries the same batch: at most N+1 invocations for
    #     MaximumRetryAttempts N, then the on-failure record (RetryAttemptsExhausted).
    def test_raising_handler_is_retried_n_plus_1_times_then_dead_lettered(self):
        self.add_flow("raise", {"handler.py": BEHAVIOUR}, max_retry_attempts=2)
        self.start_kemu()
        self.put("raise", "ok-1")
        first = self.wait_seen("raise", lambda s: "ok-1" in done_data(s), 15)
        warm_pid = dones(first)[0]["pid"]
        self.put("raise", "poison", "pk-poison")
        self.wait_seen("raise", lambda s: len(attempts_with(s, "poison")) >= 3, 15,
                       "three attempts at the poison record")
        bodies = self.receive_dlq("raise", 1)
        self.put("raise", "after")
        seen = self.wait_seen("raise", lambda s: "after" in done_data(s), 15,
                              "a later record processed")
        tries = attempts_with(seen, "poison")
        self.assertEqual(len(tries), 3, "max_retry_attempts 2 must mean exactly 3 invocations")
        for t in tries:
            self.assertEqual(datas(t), ["poison"], "a retry is the same batch")
            self.assertEqual(t["pid"], warm_pid, "an exception keeps the environment warm")
        self.assertNotIn("poison", done_data(seen))
        self.assertEqual(done_data(seen), ["ok-1", "after"])
        p = tries[0]["records"][0]
        self.assert_failure_record(bodies[0], "raise", p, p, 1, "RetryAttemptsExhausted", 3,
                                   "Unhandled", request_id=tries[-1]["rid"])
        # The error as the Python runtime logs it, once per attempt; warm attempts: no Init.
        log = self.function_log("raise")
        self.assertEqual(log.count(f"[ERROR] ValueError: poison record {p['seq']}\n"
                                   "Traceback (most recent call last):\n"), 3, log)
        for t in tries:
            self.assertIsNone(self.report("raise", t["rid"]).group("init"))
        self.assertEqual(self.dlq_depth("raise"), 1)

    # 2b. Bisection on a function error: halves processed first half first, down to single
    #     records (kemu's choices where AWS is silent: first half ceil(n/2), fresh counters).
    def test_bisect_sends_only_the_poison_record_to_the_dlq(self):
        self.add_flow("bisect", {"handler.py": BEHAVIOUR}, max_retry_attempts=1,
                      bisect_batch_on_function_error=True, batch_size=10)
        self.start_kemu()
        puts = self.gate_then("bisect", [("a", "k"), ("b", "k"), ("poison", "k"), ("d", "k"),
                                         ("e", "k")])
        seen = self.wait_seen("bisect", lambda s: {"d", "e"} <= set(done_data(s)), 20,
                              "the records after the poison processed")
        bodies = self.receive_dlq("bisect", 1)
        batches = [datas(s) for s in starts(seen)][1:]  # after the gate
        self.assertEqual(batches, [["a", "b", "poison", "d", "e"], ["a", "b", "poison"], ["a", "b"],
                                   ["poison"], ["poison"], ["d", "e"]])
        self.assertEqual(sorted(done_data(seen)), sorted(["sleep:1.5", "a", "b", "d", "e"]))
        p = attempts_with(seen, "poison")[-1]
        self.assertEqual(p["records"][0]["seq"], puts[2]["SequenceNumber"])
        rec = p["records"][0]
        self.assert_failure_record(bodies[0], "bisect", rec, rec, 1, "RetryAttemptsExhausted", 2,
                                   "Unhandled", request_id=p["rid"])

    # 3. A timeout fails the invocation with Sandbox.Timedout, resets the environment (the next
    #    invocation initialises again) and logs the "Task timed out after N.00 seconds" line.
    def test_timeout_kills_retries_dead_letters_and_the_next_batch_cold_starts(self):
        self.add_flow("slow", {"handler.py": BEHAVIOUR}, lambda_timeout=1, max_retry_attempts=1)
        self.start_kemu()
        self.put("slow", "ok-0")
        self.wait_seen("slow", lambda s: "ok-0" in done_data(s), 15)
        self.put("slow", "sleep:5")
        self.wait_seen("slow", lambda s: len(attempts_with(s, "sleep:5")) >= 2, 15)
        bodies = self.receive_dlq("slow", 1)
        self.put("slow", "ok-1")
        seen = self.wait_seen("slow", lambda s: "ok-1" in done_data(s), 15)
        tries = attempts_with(seen, "sleep:5")
        self.assertEqual(len(tries), 2)
        self.assertNotIn("sleep:5", done_data(seen))
        pids = [dones(seen)[0]["pid"], tries[0]["pid"], tries[1]["pid"], dones(seen)[-1]["pid"]]
        self.assertEqual(len(set(pids[1:])), 3, f"a timeout resets the environment: {pids}")
        log = self.function_log("slow").splitlines()
        for t in tries:
            rid = t["rid"]
            line = [i for i, l in enumerate(log)
                    if re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z " + rid +
                                r" Task timed out after 1\.00 seconds$", l)]
            self.assertEqual(len(line), 1, f"no timeout line for {rid}: {log}")
            self.assertLess(line[0], log.index(f"END RequestId: {rid}"))
            rep = self.report("slow", rid)
            self.assertGreaterEqual(float(rep.group("dur")), 1000.0)
            self.assertLess(float(rep.group("dur")), 2000.0)
        self.assertIsNone(self.report("slow", tries[0]["rid"]).group("init"))  # warm from ok-0
        self.assertIsNotNone(self.report("slow", tries[1]["rid"]).group("init"))
        self.assertIsNotNone(self.report("slow", dones(seen)[-1]["rid"]).group("init"),
                             "the batch after a timeout must cold-start")
        self.assertEqual(dones(seen)[-1]["count"], 1)
        rec = tries[0]["records"][0]
        self.assert_failure_record(bodies[0], "slow", rec, rec, 1, "RetryAttemptsExhausted", 2,
                                   "Unhandled", request_id=tries[-1]["rid"])

    # 4. A runtime that exits mid-invocation (Runtime.ExitError) fails the batch and resets the
    #    environment.
    def test_exiting_handlers_fail_the_batch_and_kemu_keeps_running(self):
        self.add_flow("quit", {"handler.py": BEHAVIOUR}, max_retry_attempts=1)
        self.start_kemu()
        self.put("quit", "exit1")
        self.wait_seen("quit", lambda s: len(attempts_with(s, "exit1")) >= 2, 15)
        wait_until(lambda: self.dlq_depth("quit") >= 1, 10, what="the exit1 DLQ message")
        self.put("quit", "sysexit")
        self.wait_seen("quit", lambda s: len(attempts_with(s, "sysexit")) >= 2, 15)
        wait_until(lambda: self.dlq_depth("quit") >= 2, 10, what="the sysexit DLQ message")
        self.put("quit", "ok")
        seen = self.wait_seen("quit", lambda s: "ok" in done_data(s), 15)
        self.assertTrue(self.kemu.running())
        bodies = self.receive_dlq("quit", 2)
        for data, body in zip(["exit1", "sysexit"], bodies):
            tries = attempts_with(seen, data)
            self.assertEqual(len(tries), 2, data)
            self.assertNotEqual(tries[0]["pid"], tries[1]["pid"], "an exit resets the environment")
            self.assertEqual([t["count"] for t in tries], [1, 1], "each attempt re-runs init")
            rec = tries[0]["records"][0]
            self.assert_failure_record(body, "quit", rec, rec, 1, "RetryAttemptsExhausted", 2,
                                       "Unhandled", request_id=tries[-1]["rid"])
            for t in tries:
                self.assertIsNotNone(self.report("quit", t["rid"]).group("init"))
        log = self.function_log("quit")
        self.assertEqual(log.count("about to os._exit(1)\n"), 2, "the last output reaches the log")
        self.assertEqual(log.count("about to sys.exit(2)\n"), 2)
        ok = dones(seen)[-1]
        self.assertEqual(ok["count"], 1)
        self.assertIsNotNone(self.report("quit", ok["rid"]).group("init"))

    # 5. Past the configured memory the runtime is killed (Runtime.OutOfMemory) and the
    #    environment reset; REPORT shows Max Memory Used = Memory Size.
    def test_handler_past_its_memory_limit_is_killed_and_dead_lettered(self):
        self.add_flow("hog", {"handler.py": BEHAVIOUR}, lambda_memory_size=128,
                      max_retry_attempts=0)
        self.start_kemu()
        self.put("hog", "ok-0")
        self.wait_seen("hog", lambda s: "ok-0" in done_data(s), 15)
        self.put("hog", "hog")
        bodies = self.receive_dlq("hog", 1, timeout=20)
        self.put("hog", "ok-1")
        seen = self.wait_seen("hog", lambda s: "ok-1" in done_data(s), 15)
        tries = attempts_with(seen, "hog")
        self.assertEqual(len(tries), 1, "max_retry_attempts 0: one attempt")
        self.assertNotIn("hog", done_data(seen))
        self.assertEqual([s for s in seen if s.get("phase") == "allocated"], [],
                         "the handler got its 300 MB under a 128 MB limit")
        rep = self.report("hog", tries[0]["rid"])
        self.assertEqual(rep.group("mem"), "128")
        self.assertEqual(rep.group("used"), "128", "Max Memory Used = Memory Size after an OOM")
        ok = dones(seen)[-1]
        self.assertNotEqual(ok["pid"], tries[0]["pid"], "OOM resets the environment")
        self.assertIsNotNone(self.report("hog", ok["rid"]).group("init"))
        ok0 = self.report("hog", dones(seen)[0]["rid"])
        self.assertLess(int(ok0.group("used")), 128)
        rec = tries[0]["records"][0]
        self.assert_failure_record(bodies[0], "hog", rec, rec, 1, "RetryAttemptsExhausted", 1,
                                   "Unhandled", request_id=tries[0]["rid"])

    # 6. ReportBatchItemFailures: the checkpoint stops before the lowest failed sequence number
    #    and the retry starts there; the on-failure record then has functionError null.
    def test_report_batch_item_failures_retries_from_the_failed_record(self):
        self.add_flow("partial", {"handler.py": BEHAVIOUR}, report_batch_item_failures=True,
                      max_retry_attempts=1, batch_size=10)
        self.start_kemu()
        puts = self.gate_then("partial", [("a", "k"), ("fail-item-b", "k"), ("c", "k")])
        bodies = self.receive_dlq("partial", 1)
        self.put("partial", "d")
        seen = self.wait_seen("partial", lambda s: "d" in done_data(s), 15)
        batches = [datas(s) for s in starts(seen)][1:]
        self.assertEqual(batches, [["a", "fail-item-b", "c"], ["fail-item-b", "c"],
                                   ["fail-item-b", "c"], ["d"]])
        self.assertEqual(len({s["pid"] for s in starts(seen)}), 1,
                         "a partial response is not a function error: the environment stays")
        last_try = attempts_with(seen, "fail-item-b")[-1]
        b, c = last_try["records"]
        self.assertEqual([b["seq"], c["seq"]], [puts[1]["SequenceNumber"], puts[2]["SequenceNumber"]])
        self.assert_failure_record(bodies[0], "partial", b, c, 2, "RetryAttemptsExhausted", 2,
                                   None, request_id=last_try["rid"])

    # 7. Checkpoints persist: a kemu restart resumes after the last checkpoint, not from the
    #    starting position again.
    def test_restart_resumes_from_the_checkpoint(self):
        self.restart_mid_backlog(crash=False)

    def test_kill9_restart_resumes_from_the_checkpoint(self):
        self.restart_mid_backlog(crash=True)

    def restart_mid_backlog(self, crash):
        self.add_flow("resume", {"handler.py": BEHAVIOUR}, batch_size=1)
        self.start_kemu()
        puts = self.put_many("resume", [(f"sleep:0.25#{i}", "k") for i in range(12)])
        all_seqs = [p["SequenceNumber"] for p in puts]
        self.wait_seen("resume", lambda s: len(dones(s)) >= 3, 20, "three records processed")
        if crash:
            self.kemu.kill9()
            time.sleep(0.3)  # the killed kemu's environment dies with it (PDEATHSIG)
        else:
            self.assertEqual(self.kemu.stop(), 0, self.kemu.stderr_tail())
        before = self.seen("resume")
        self.kemu.lines = []
        self.kemu.start()
        self._clients = {}
        self.assertLess(len(dones(before)), 12, "the backlog was done before the restart")
        before_started = [r["seq"] for s in starts(before) for r in s["records"]]
        seen = self.wait_seen("resume", lambda s: set(all_seqs) <= {r["seq"] for d in dones(s)
                                                                    for r in d["records"]},
                              30, "every record processed after the restart")
        more = self.put_many("resume", [(f"sleep:0.01#{i}", "k") for i in range(3)])
        seen = self.wait_seen("resume", lambda s: {m["SequenceNumber"] for m in more}
                              <= {r["seq"] for d in dones(s) for r in d["records"]}, 15)
        after_started = [r["seq"] for s in starts(seen)[len(starts(before)):] for r in s["records"]]
        again = set(after_started) & set(before_started)
        self.assertLessEqual(again, {before_started[-1]},
                             "checkpointed records were delivered again after the restart")
        order = [int(x) for x in after_started]
        self.assertEqual(order, sorted(order))
        self.assertEqual(sorted(set(before_started) | set(after_started)),
                         sorted(all_seqs + [m["SequenceNumber"] for m in more]), "a record skipped")
        self.assertEqual(len(after_started), len(set(after_started)))

    # 8. An idle environment is shut down; the next batch starts a fresh one (cold start).
    def test_idle_environment_goes_away_and_the_next_batch_cold_starts(self):
        self.add_flow("idle", {"handler.py": BEHAVIOUR})
        self.start_kemu("--lambda-idle-timeout-s", "1")
        self.put("idle", "r1")
        self.wait_seen("idle", lambda s: "r1" in done_data(s), 15)
        self.put("idle", "r2")
        seen = self.wait_seen("idle", lambda s: "r2" in done_data(s), 15)
        r1, r2 = dones(seen)
        self.assertEqual((r1["count"], r2["count"]), (1, 2))
        self.assertEqual(r1["pid"], r2["pid"])
        idle_from = time.monotonic()
        wait_until(lambda: process_state(r1["pid"]) in (None, "Z"), 6,
                   what=f"the idle environment (pid {r1['pid']}) to stop")
        time.sleep(max(0.0, 2.2 - (time.monotonic() - idle_from)))
        self.put("idle", "r3")
        seen = self.wait_seen("idle", lambda s: "r3" in done_data(s), 15)
        r3 = dones(seen)[-1]
        self.assertEqual(r3["count"], 1, "module state survived an idle shutdown")
        self.assertNotEqual(r3["pid"], r1["pid"])
        self.assertIsNotNone(self.report("idle", r1["rid"]).group("init"))
        self.assertIsNone(self.report("idle", r2["rid"]).group("init"))
        self.assertIsNotNone(self.report("idle", r3["rid"]).group("init"),
                             "the batch after the idle shutdown is a cold start")

    # The issue: "an environment idle longer than a configurable period is stopped", and kemu
    # keeps running for days: a stopped runtime must be reaped, not left as a zombie child.
    def test_stopped_environments_leave_no_zombie_processes(self):
        self.add_flow("reap", {"handler.py": BEHAVIOUR})
        self.start_kemu("--lambda-idle-timeout-s", "1")
        kemu_pid = self.kemu.proc.pid
        pids = []
        for i in range(4):  # four idle stops: the leak shows up on most of them
            self.put("reap", f"r{i}")
            seen = self.wait_seen("reap", lambda s, i=i: f"r{i}" in done_data(s), 15)
            pid = dones(seen)[-1]["pid"]
            pids.append(pid)
            wait_until(lambda: process_state(pid) in (None, "Z"), 6,
                       what=f"the idle environment {pid} to stop")
        self.assertEqual(len(set(pids)), 4)
        time.sleep(0.5)
        zombies = [p for p in pids if process_state(p) == "Z" and parent_of(p) == kemu_pid]
        self.assertEqual(zombies, [], f"kemu left the runtimes of idle-stopped environments as "
                                      f"zombies (State Z, parent kemu): {zombies} of {pids}")

    # 9. After a success the environment stays warm: same process, module globals kept.
    def test_warm_environment_is_reused_with_its_module_state(self):
        self.add_flow("warm", {"handler.py": BEHAVIOUR})
        self.start_kemu()
        for data in ("write-tmp", "read-tmp", "w2"):
            self.put("warm", data)
            self.wait_seen("warm", lambda s, data=data: data in done_data(s), 15)
        seen = self.seen("warm")
        d = dones(seen)
        self.assertEqual([x["count"] for x in d], [1, 2, 3])
        self.assertEqual(len({x["pid"] for x in d}), 1)
        inits = [self.report("warm", x["rid"]).group("init") is not None for x in d]
        self.assertEqual(inits, [True, False, False])
        tmp = [x for x in seen if x.get("phase") == "tmp"]
        self.assertEqual([x["exists"] for x in tmp], [True], "/tmp persists across warm invokes")

    # A timeout or crash resets the environment, but /tmp (kemu: its TMPDIR) is not wiped.
    def test_tmp_survives_an_environment_reset(self):
        self.add_flow("tmpkeep", {"handler.py": BEHAVIOUR}, max_retry_attempts=0)
        self.start_kemu()
        self.put("tmpkeep", "write-tmp")
        self.wait_seen("tmpkeep", lambda s: "write-tmp" in done_data(s), 15)
        self.put("tmpkeep", "exit1")
        self.receive_dlq("tmpkeep", 1)
        self.put("tmpkeep", "read-tmp")
        seen = self.wait_seen("tmpkeep", lambda s: "read-tmp" in done_data(s), 15)
        self.assertNotEqual(dones(seen)[0]["pid"], dones(seen)[-1]["pid"], "no reset happened")
        tmp = [x for x in seen if x.get("phase") == "tmp"]
        self.assertEqual(len(tmp), 1)
        self.assertTrue(tmp[0]["exists"], f"/tmp was wiped by the reset after an exit: {tmp}")

    # A failing batch blocks its own shard until it succeeds or is discarded; other shards
    # keep flowing.
    def test_poison_record_blocks_only_its_shard(self):
        self.add_flow("block", {"handler.py": BEHAVIOUR}, shard_count=2, max_retry_attempts=-1)
        self.start_kemu()
        poison = self.put("block", "poison", "p")
        self.wait_seen("block", lambda s: len(attempts_with(s, "poison")) >= 2, 15)
        puts = self.put_many("block", [(f"ok-{i}", f"k{i}") for i in range(20)])
        same = [p["data"].decode() for p in puts if p["ShardId"] == poison["ShardId"]]
        other = [p["data"].decode() for p in puts if p["ShardId"] != poison["ShardId"]]
        self.assertTrue(same and other, "the partition keys did not reach both shards")
        seen = self.wait_seen("block", lambda s: set(other) <= set(done_data(s)), 15,
                              "the other shard's records")
        n = len(attempts_with(seen, "poison"))
        seen = self.wait_seen("block", lambda s: len(attempts_with(s, "poison")) >= n + 2, 15,
                              "more retries of the poison batch")
        self.assertEqual([d for d in done_data(seen) if d in same], [],
                         "records behind the poison record on its shard were delivered")
        self.assertTrue(all(datas(t) == ["poison"] for t in attempts_with(seen, "poison")))
        self.assertEqual(self.dlq_depth("block"), 0, "max_retry_attempts -1 never gives up")

    # An init error (Runtime.ImportModuleError, requestId "") fails the invocation and discards
    # the environment; the next attempt initialises again. kemu keeps running and recovers.
    def test_import_error_fails_each_attempt_until_the_code_is_fixed(self):
        # The function exists (kemu validate checks that); the import fails at init.
        self.add_flow("broken", {"handler.py": "import no_such_module_kemu_e2e\n\n\n"
                                               "def process_event(event, context):\n    pass\n"},
                      max_retry_attempts=1)
        self.start_kemu()
        self.put("broken", "r1")
        bodies = self.receive_dlq("broken", 1)
        self.assertEqual(bodies[0]["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(bodies[0]["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(bodies[0]["KinesisBatchInfo"]["batchSize"], 1)
        log = self.function_log("broken")
        self.assertEqual(log.count("[ERROR] Runtime.ImportModuleError: Unable to import module "
                                   "'handler': No module named 'no_such_module_kemu_e2e'\n"), 2, log)
        self.assertTrue(self.kemu.running())
        self.write_code("broken", {"handler.py": BEHAVIOUR})
        time.sleep(2.5)  # kemu looks at the code directory about once a second
        self.put("broken", "r2")
        seen = self.wait_seen("broken", lambda s: "r2" in done_data(s), 15)
        self.assertEqual(done_data(seen), ["r2"])

    # 11. the issue: a changed handler file retires warm environments
    def test_edited_handler_runs_on_the_next_batch(self):
        code = PY_PRELUDE + '''
VERSION = @V@


def process_event(event, context):
    record(phase="done", version=VERSION, pid=_os.getpid(), rid=context.aws_request_id,
           records=summary(event))
    print("running version", VERSION)
'''
        self.add_flow("reload", {"handler.py": code.replace("@V@", "1")})
        self.start_kemu()
        self.put("reload", "r1")
        seen = self.wait_seen("reload", lambda s: "r1" in done_data(s), 15)
        self.assertEqual(seen[0]["version"], 1)
        self.write_code("reload", {"handler.py": code.replace("@V@", "2")})
        time.sleep(2.5)  # kemu looks at the code directory about once a second
        self.put("reload", "r2")
        seen = self.wait_seen("reload", lambda s: "r2" in done_data(s), 15)
        self.assertEqual([s["version"] for s in seen], [1, 2])
        self.assertNotEqual(seen[0]["pid"], seen[1]["pid"])
        # The handler records "done" before it prints: its line reaches the log a moment later.
        wait_until(lambda: "running version 2\n" in self.function_log("reload"), 15,
                   what="version 2's line in the function log")

    # 12. the front door feeds the processor
    def test_front_door_post_reaches_the_handler(self):
        self.add_flow("door", {"handler.py": SHAPE})
        self.start_kemu()
        body = b'{"order_id": "ORD-1", "total": 9.5, "note": "caf\xc3\xa9"}'
        conn = http.client.HTTPConnection("127.0.0.1", self.kemu.port, timeout=15)
        t = time.time()
        try:
            conn.request("POST", "/v1/events/door", body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            out = r.read()
            rid = r.getheader("x-amzn-RequestId")
        finally:
            conn.close()
        self.assertEqual(r.status, 200, out)
        resp = json.loads(out)
        seen = self.wait_seen("door", lambda s: len(s) >= 1, 15)
        self.assertEqual(len(seen), 1)
        recs = seen[0]["event"]["Records"]
        self.assertEqual(len(recs), 1)
        put = {"ShardId": resp["ShardId"], "SequenceNumber": resp["SequenceNumber"], "data": body,
               "pk": rid, "time": t}
        self.assert_kinesis_record(recs[0], put, "door")


if __name__ == "__main__":
    run_main()
