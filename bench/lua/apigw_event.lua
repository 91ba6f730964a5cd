-- Front door, single events: POST /v1/events/bench with the same 100 bytes the PutRecord
-- phase stores (the gateway base64-encodes them into a PutRecord). Counts HTTP 200 replies.
package.path = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
require("common")

sum_keys = {}
local req

function init(args)
  req = wrk.format("POST", "/v1/events/" .. (os.getenv("BENCH_EVENT_TYPE") or "bench"),
                   {["Content-Type"] = "application/json"}, DATA_RAW)
end

function request()
  return req
end

function extra_response(body) end
