-- wrk script: authenticated GET / for several users in turn, one JSON line at the end.
-- The arguments after "--" are the users' Cookie headers. Each wrk thread has
-- its own Lua state: "bad" (answers other than 200) is read back per thread.

local requests = {}
local next_request = 1
bad = 0
bad_status = 0

function init(args)
  for i, cookie in ipairs(args) do
    requests[i] = wrk.format("GET", "/", {["Cookie"] = cookie, ["X-Forwarded-Proto"] = "https"})
  end
end

function request()
  local chosen = requests[next_request]
  next_request = next_request % #requests + 1
  return chosen
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    bad_status = status
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, _)
  local not_ok, status = 0, 0
  for _, thread in ipairs(threads) do
    not_ok = not_ok + thread:get("bad")
    if thread:get("bad_status") ~= 0 then status = thread:get("bad_status") end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "not_200": %d, "a_status": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, not_ok, status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
