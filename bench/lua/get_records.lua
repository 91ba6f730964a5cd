-- GetRecords: every connection reads the pre-filled shard from TRIM_HORIZON to
-- its end (GetShardIterator, then GetRecords following NextShardIterator until
-- a call returns no record), then starts again. Counts records returned.
-- Iterators are queued per wrk thread: each reply's iterator feeds the next
-- request of whichever connection of that thread asks first.
package.path = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
require("common")

local SHARD = os.getenv("BENCH_SHARD") or "shardId-000000000000"
local LIMIT = tonumber(os.getenv("BENCH_LIMIT") or "1000")
sum_keys = {"records", "get_records_calls", "iterator_calls", "bad_replies"}
records, get_records_calls, iterator_calls, bad_replies = 0, 0, 0, 0

local iter_req
local hdr_get
local queue, head, tail = {}, 1, 0

function init(args)
  iter_req = wrk.format(nil, nil, target("GetShardIterator"),
    '{"StreamName":"' .. STREAM .. '","ShardId":"' .. SHARD .. '","ShardIteratorType":"TRIM_HORIZON"}')
  hdr_get = target("GetRecords")
end

function request()
  if head <= tail then
    local it = queue[head]
    queue[head] = nil
    head = head + 1
    return wrk.format(nil, nil, hdr_get, '{"ShardIterator":"' .. it .. '","Limit":' .. LIMIT .. '}')
  end
  return iter_req
end

local function push(it)
  tail = tail + 1
  queue[tail] = it
end

function extra_response(body)
  -- GetShardIterator reply: {"ShardIterator":"..."} (short).
  if #body < 4096 and string.find(body, '"ShardIterator"', 1, true) then
    iterator_calls = iterator_calls + 1
    local it = string.match(body, '"ShardIterator"%s*:%s*"([^"]+)"')
    if it then push(it) else bad_replies = bad_replies + 1 end
    return
  end
  -- GetRecords reply: count records, follow NextShardIterator while records come.
  get_records_calls = get_records_calls + 1
  local count, at = 0, 1
  while true do
    at = string.find(body, '"SequenceNumber"', at, true)
    if not at then break end
    count = count + 1
    at = at + 16
  end
  records = records + count
  if count > 0 then
    local it
    local k = string.find(body, '"NextShardIterator"', 1, true)
    if k then it = string.match(body, '^"NextShardIterator"%s*:%s*"([^"]+)"', k) end
    if it then push(it) else bad_replies = bad_replies + 1 end
  end
  -- count == 0: end of the shard; this connection's next request starts over.
end
