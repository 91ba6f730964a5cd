-- Front door, batches: POST /v1/events/batch/bench with 500 records of the same 100 bytes as
-- the PutRecords phase, partition keys spread over every shard. Counts records accepted
-- (500 - FailedRecordCount per 200 reply).
package.path = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
require("common")

local PER_CALL = tonumber(os.getenv("BENCH_BATCH") or "500")
sum_keys = {"records_ok", "records_failed"}
records_ok, records_failed = 0, 0
local reqs, n = {}, 0

function init(args)
  local path = "/v1/events/batch/" .. (os.getenv("BENCH_EVENT_TYPE") or "bench")
  for v = 0, 7 do
    local recs = {}
    for i = 0, PER_CALL - 1 do
      recs[#recs + 1] = '{"data":"' .. DATA_RAW .. '","partitionKey":"pk-' ..
        (thread_id * 100000 + v * PER_CALL + i) .. '"}'
    end
    local body = '{"records":[' .. table.concat(recs, ",") .. ']}'
    reqs[v + 1] = wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
  end
end

function request()
  n = n % #reqs + 1
  return reqs[n]
end

function extra_response(body)
  local failed = 0
  local at = string.find(body, '"FailedRecordCount"', 1, true)
  if at then failed = tonumber(string.match(body, '^"FailedRecordCount"%s*:%s*(%d+)', at)) or 0 end
  records_ok = records_ok + PER_CALL - failed
  records_failed = records_failed + failed
end
