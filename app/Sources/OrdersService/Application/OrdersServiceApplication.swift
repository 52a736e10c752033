import Hummingbird
import Logging
import OrdersCore
import Prometheus

/// The assembled service: the HTTP application, the optional metrics listener, and the state they share.
/// ``ServiceRunner`` runs it; tests call ``application`` directly.
package struct OrdersServiceApplication: Sendable {
    /// The HTTP application, with the store's services attached.
    let application: Application<RouterResponder<OrdersRequestContext>>
    /// The `/metrics` listener when `METRICS_PORT` differs from `HTTP_PORT`.
    let metricsApplication: Application<RouterResponder<BasicRequestContext>>?
    /// Flipped on the first stop signal.
    let drainState: DrainState
    /// Where orders and keys live.
    let store: any OrderStore
    /// The settings it was built from.
    let configuration: ServiceConfiguration
    /// The process logger.
    let logger: Logger
    /// Every metric of the process.
    let registry: PrometheusCollectorRegistry
}
