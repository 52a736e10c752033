-- GET /orders/{id}, cycling through the ids of the seeded orders so that every request reads a
-- different row than the one before. BENCH_IDS_FILE holds one id per line.
local report = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = {}
for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
  if line ~= "" then ids[#ids + 1] = line end
end
assert(#ids > 0, "BENCH_IDS_FILE lists no ids")

local next_index = 0

request = function()
  next_index = next_index % #ids + 1
  return wrk.format("GET", "/orders/" .. ids[next_index])
end

done = report.done
