-- post.lua -- wrk script: POST one fixed DynamoDB request again and again.
--
--     wrk -s post.lua URL -- OPERATION BODY_FILE
--
-- Sends the body with DynamoDB's headers (and a well-formed signature
-- that no credentials list is checked against), and prints one line a
-- program can read:
--     RESULT <requests/s> <p50 ms> <p90 ms> <p99 ms> <non-2xx> <socket errors>

local operation, body

function init(args)
    operation = args[1]
    local f = assert(io.open(args[2], "rb"))
    body = f:read("*a")
    f:close()
    wrk.method = "POST"
    wrk.body = body
    wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
    wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. operation
    wrk.headers["X-Amz-Date"] = "20150830T123600Z"
    wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 " ..
        "Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, " ..
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
end

function done(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format("RESULT %.0f %.3f %.3f %.3f %d %d\n",
        summary.requests / secs,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000,
        e.status, e.connect + e.read + e.write + e.timeout))
end
