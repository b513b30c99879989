-- wrk: full checkout attempts with the sandbox 4242 card, each on a payment of its own.
-- The payment ids come from the file named by PAY_BENCH_IDS, one per line; each thread walks
-- its own stride of the list so no payment is paid twice.
local ids = {}
for line in io.lines(os.getenv("PAY_BENCH_IDS")) do ids[#ids + 1] = line end
local counter = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  stride = tonumber(os.getenv("PAY_BENCH_THREADS"))
  next_index = offset + 1
end

function request()
  local id = ids[next_index]
  next_index = next_index + stride
  if id == nil then id = ids[1] end
  local body = '{"attemptId":"' .. string.format("bench-%08d", next_index) .. '","method":"card",' ..
    '"card":{"number":"4242424242424242","expMonth":12,"expYear":2040,"cvc":"123"}}'
  return wrk.format("POST", "/pay/v1/checkout/" .. id .. "/attempts", {["Content-Type"] = "application/json"}, body)
end
