-- Loads the shared report and sets the headers every workload sends. Environment:
--   BENCH_LUA_DIR    this directory (wrk scripts cannot find their neighbours on their own)
--   BENCH_API_KEY    the bearer token for the orders routes; unset for routes without authentication
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local key = os.getenv("BENCH_API_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

return report
