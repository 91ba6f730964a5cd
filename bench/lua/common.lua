-- Shared by the wrk scripts: AWS JSON 1.1 headers, per-status counting and a
-- machine-readable summary line ("BENCH {json}") printed by done().
-- Each script defines `extra_response(status, body)` for its own counting and
-- lists the globals to sum in `sum_keys`.

wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000"
wrk.headers["X-Amz-Date"] = "20261126T000000Z"

STREAM = os.getenv("BENCH_STREAM") or "bench"

-- 100 bytes of payload, base64-encoded (136 characters).
DATA_B64 = "YmVuY2gtcGF5bG9hZC0wMTIzNDU2Nzg5YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXpBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWjAxMjM0NTY3ODktLS0tLS0tLS0tLS0tLQ=="
-- The same 100 bytes before encoding, for the front-door phases (they post raw bytes).
DATA_RAW = "bench-payload-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789--------------"

function target(op)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["X-Amz-Target"] = "Kinesis_20131202." .. op
  return h
end

local threads = {}
local thread_no = 0
function setup(thread)
  thread:set("thread_id", thread_no)
  thread_no = thread_no + 1
  table.insert(threads, thread)
end

statuses = {}   -- status code -> count
samples = {}    -- status code -> first body seen (non-200 only)

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 then
    if samples[status] == nil then samples[status] = string.sub(body, 1, 400) end
    return
  end
  extra_response(body)
end

local function jstr(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == '\\' then return '\\\\' end
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local st, sm, sums = {}, {}, {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do st[code] = (st[code] or 0) + n end
    for code, b in pairs(t:get("samples") or {}) do if sm[code] == nil then sm[code] = b end end
    for _, k in ipairs(sum_keys or {}) do sums[k] = (sums[k] or 0) + (t:get(k) or 0) end
  end
  local parts = {}
  table.insert(parts, '"duration_us":' .. summary.duration)
  table.insert(parts, '"responses":' .. summary.requests)
  table.insert(parts, '"bytes":' .. summary.bytes)
  local e = summary.errors
  table.insert(parts, string.format('"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}',
    e.connect, e.read, e.write, e.timeout))
  table.insert(parts, string.format('"latency_us":{"p50":%d,"p99":%d,"max":%d}',
    latency:percentile(50), latency:percentile(99), latency.max))
  local s = {}
  for code, n in pairs(st) do table.insert(s, '"' .. code .. '":' .. n) end
  table.insert(parts, '"statuses":{' .. table.concat(s, ",") .. '}')
  local b = {}
  for code, body in pairs(sm) do table.insert(b, '"' .. code .. '":' .. jstr(body)) end
  table.insert(parts, '"samples":{' .. table.concat(b, ",") .. '}')
  for k, v in pairs(sums) do table.insert(parts, '"' .. k .. '":' .. string.format("%d", v)) end
  io.write("BENCH {" .. table.concat(parts, ",") .. "}\n")
end
