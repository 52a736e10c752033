"""/metrics after 1,000 requests to distinct unknown paths: promtool accepts the exposition with no
output, and the request counter has a handful of series, not a thousand. With METRICS_PORT set,
/metrics is served there and only there."""
import subprocess
from concurrent.futures import ThreadPoolExecutor

from support.service import Service, free_port, request
from support.tools import required_program


def test_promtool_accepts_metrics_and_cardinality_is_bounded():
    promtool = required_program("promtool", "prometheus")
    service = Service({"LOG_LEVEL": "warning"}).start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda i: service.get(f"/unknown/{i}/path").status, range(1000)))
        assert statuses == [404] * 1000
        exposition = service.get("/metrics").body
        check = subprocess.run([promtool, "check", "metrics"], input=exposition, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout == "" and check.stderr == "", check.stdout + check.stderr
        series = [line for line in exposition.splitlines() if line.startswith("http_server_requests_total{")]
        print(f"\npromtool check metrics: no output; http_server_requests_total series: {len(series)}: {series}")
        assert 1 <= len(series) <= 5
    finally:
        service.stop()


def test_a_separate_metrics_port_serves_metrics_and_the_http_port_does_not():
    """Production's layout: /metrics only on METRICS_PORT (bound to loopback), never on the HTTP port
    the load balancer reaches; the collector sidecar scrapes the metrics port."""
    metrics_port = free_port()
    service = Service({"METRICS_PORT": str(metrics_port), "LOG_LEVEL": "warning"}).start()
    try:
        assert service.get("/orders/nothing-here").status == 401
        scraped = request(f"http://127.0.0.1:{metrics_port}/metrics")
        assert scraped.status == 200
        assert scraped.headers["content-type"].startswith("text/plain")
        assert "# TYPE http_server_requests_total counter" in scraped.body
        assert 'route="/orders/{id}"' in scraped.body, "the API's traffic is counted on the metrics port"
        assert service.get("/metrics").status == 404, "the HTTP port does not serve /metrics"
        assert request(f"http://127.0.0.1:{metrics_port}/orders").status == 404, "the metrics port serves nothing else"
    finally:
        service.stop()
