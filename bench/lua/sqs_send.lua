-- SQS SendMessage (AWS JSON 1.0, what boto3 1.43 and AWS CLI v1 send) of the same 100 bytes
-- to one queue. Counts HTTP 200 replies.
package.path = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
require("common")

sum_keys = {}
local req

function init(args)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/x-amz-json-1.0"
  h["X-Amz-Target"] = "AmazonSQS.SendMessage"
  h["x-amzn-query-mode"] = "true"
  local url = "http://127.0.0.1/000000000000/" .. (os.getenv("BENCH_QUEUE") or "bench-q")
  req = wrk.format(nil, nil, h, '{"QueueUrl":"' .. url .. '","MessageBody":"' .. DATA_RAW .. '"}')
end

function request()
  return req
end

function extra_response(body) end
