-- PutRecords: 500 records of ~100 bytes per call, partition keys spread over
-- every shard. Counts records accepted (500 - FailedRecordCount per 200 reply).
package.path = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
require("common")

local PER_CALL = tonumber(os.getenv("BENCH_BATCH") or "500")
sum_keys = {"records_ok", "records_failed"}
records_ok, records_failed = 0, 0
local reqs, n = {}, 0

function init(args)
  local h = target("PutRecords")
  for v = 0, 7 do
    local recs = {}
    for i = 0, PER_CALL - 1 do
      recs[#recs + 1] = '{"Data":"' .. DATA_B64 .. '","PartitionKey":"pk-' ..
        (thread_id * 100000 + v * PER_CALL + i) .. '"}'
    end
    local body = '{"StreamName":"' .. STREAM .. '","Records":[' .. table.concat(recs, ",") .. ']}'
    reqs[v + 1] = wrk.format(nil, nil, h, body)
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
