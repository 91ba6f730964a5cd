-- PutRecord: one ~100-byte record per request; partition keys vary so the
-- records spread over every shard. Requests are pre-built (wrk stays cheap).
package.path = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
require("common")

sum_keys = {}
local reqs, n = {}, 0

function init(args)
  local h = target("PutRecord")
  for i = 0, 1023 do
    local body = '{"StreamName":"' .. STREAM .. '","Data":"' .. DATA_B64 ..
      '","PartitionKey":"pk-' .. (thread_id * 100000 + i) .. '"}'
    reqs[i + 1] = wrk.format(nil, nil, h, body)
  end
end

function request()
  n = n % #reqs + 1
  return reqs[n]
end

function extra_response(body) end
