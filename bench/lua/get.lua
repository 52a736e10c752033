-- GET of the URL's path on every request: /health, /orders (a page of 20), and the nginx ceiling.
local report = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

done = report.done
