import ArgumentParser

/// `orders-service healthcheck`: probes the local liveness route and exits 0 (healthy) or 1, so the
/// container's HEALTHCHECK and ECS's container health check need no curl in the image.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when GET /health/live on this machine answers 200 within the timeout, else 1."
    )

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 2

    @Option(help: "Path to probe.")
    var path: String = "/health/live"

    func run() async throws {
        let settings = ProcessEnvironment.settings()
        let port: Int
        do {
            port = try settings.integer("HTTP_PORT", default: 8080, in: 1...65535)
        } catch {
            printError("healthcheck: \(error)")
            throw ExitCode(1)
        }
        let host = HealthProbe.probeHost(for: settings.string("HTTP_HOST") ?? "127.0.0.1")
        let result = HealthProbe.get(host: host, port: port, path: path, timeoutSeconds: timeout)
        switch result {
        case .success(let status) where status == 200:
            return
        case .success(let status):
            printError("healthcheck: \(path) answered \(status)")
        case .failure(let reason):
            printError("healthcheck: \(reason)")
        }
        throw ExitCode(1)
    }
}
