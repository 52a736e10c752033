"""/metrics after 1,000 requests to distinct unknown paths: promtool accepts the exposition with no
output, and the request counter has a handful of series, not a thousand."""
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from support.service import Service

PROMTOOL = shutil.which("promtool")


@pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (apt-get install prometheus)")
def test_promtool_accepts_metrics_and_cardinality_is_bounded():
    service = Service({"LOG_LEVEL": "warning"}).start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda i: service.get(f"/unknown/{i}/path").status, range(1000)))
        assert statuses == [404] * 1000
        exposition = service.get("/metrics").body
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=exposition, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout == "" and check.stderr == "", check.stdout + check.stderr
        series = [line for line in exposition.splitlines() if line.startswith("http_server_requests_total{")]
        print(f"\npromtool check metrics: no output; http_server_requests_total series: {len(series)}: {series}")
        assert 1 <= len(series) <= 5
    finally:
        service.stop()
