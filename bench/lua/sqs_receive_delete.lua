-- SQS consumers: ReceiveMessage (up to 10, short poll), then one DeleteMessage per message
-- received, as a worker loop does. Counts messages deleted (replies "{}") and received.
package.path = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
require("common")

sum_keys = {"deleted", "received", "empty_receives"}
deleted, received, empty_receives = 0, 0, 0
local handles = {}
local url, h_recv, h_del

local function headers(op)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/x-amz-json-1.0"
  h["X-Amz-Target"] = "AmazonSQS." .. op
  h["x-amzn-query-mode"] = "true"
  return h
end

function init(args)
  url = "http://127.0.0.1/000000000000/" .. (os.getenv("BENCH_QUEUE") or "bench-q")
  h_recv = headers("ReceiveMessage")
  h_del = headers("DeleteMessage")
end

function request()
  local h = table.remove(handles)
  if h then
    return wrk.format(nil, nil, h_del, '{"QueueUrl":"' .. url .. '","ReceiptHandle":"' .. h .. '"}')
  end
  return wrk.format(nil, nil, h_recv, '{"QueueUrl":"' .. url .. '","MaxNumberOfMessages":10,"VisibilityTimeout":60}')
end

function extra_response(body)
  if body == "{}" then
    deleted = deleted + 1
    return
  end
  local n = 0
  for h in string.gmatch(body, '"ReceiptHandle":"([^"]+)"') do
    handles[#handles + 1] = h
    n = n + 1
  end
  if n == 0 then empty_receives = empty_receives + 1 end
  received = received + n
end
