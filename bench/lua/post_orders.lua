-- POST /orders with a different body and Idempotency-Key on every request, so that each one inserts a
-- new order (a repeated key would replay the first order and skip the insert). BENCH_RUN_ID keeps keys
-- unique across runs against the same store.
local report = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local customer = os.getenv("BENCH_CUSTOMER") or "bench-customer"
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = string.format(
    '{"customer_id":"%s","currency":"EUR","items":[{"sku":"SKU-%d","quantity":%d,"unit_price_cents":%d},' ..
    '{"sku":"SKU-B","quantity":1,"unit_price_cents":499}]}',
    customer, counter, counter % 7 + 1, 100 + counter % 9000)
  wrk.headers["Idempotency-Key"] = run_id .. "-" .. counter
  return wrk.format("POST", "/orders", nil, body)
end

done = report.done
