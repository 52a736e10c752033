import Testing

@testable import OrdersCore
@testable import OrdersService

@Suite("Tracing: the OTEL_* settings, the load balancer's trace header, the accepted traceparent")
struct TracingSettingsTests {
    @Test("off without an endpoint; on with one; off again when disabled or the exporter is none")
    func onlyAnEndpointSwitchesTracingOn() throws {
        #expect(try !TestService.configuration().tracing.isEnabled)
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"]
        #expect(try TestService.configuration(endpoint).tracing.isEnabled)
        #expect(
            try TestService.configuration(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector:4318/v1/traces"])
                .tracing.isEnabled
        )
        #expect(
            try !TestService.configuration(endpoint.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }).tracing.isEnabled
        )
        #expect(
            try !TestService.configuration(endpoint.merging(["OTEL_TRACES_EXPORTER": "none"]) { $1 }).tracing.isEnabled
        )
    }

    @Test("the default sampler follows the caller and keeps 5 % of new traces")
    func defaultSampler() throws {
        let tracing = try TestService.configuration().tracing
        #expect(tracing.sampler == .parentBasedTraceIDRatio)
        #expect(tracing.newTraceRatio == 0.05)
        let always = try TestService.configuration(["OTEL_TRACES_SAMPLER": "parentbased_always_on"]).tracing
        #expect(always.newTraceRatio == 1)
        let ratio = try TestService.configuration(["OTEL_TRACES_SAMPLER_ARG": "0.25"]).tracing
        #expect(ratio.newTraceRatio == 0.25)
    }

    @Test(
        "a value swift-otel would stop the process on, or ignore, stops the start with the variable's name",
        arguments: [
            ("OTEL_PROPAGATORS", "xray"), ("OTEL_PROPAGATORS", "b3"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"), ("OTEL_TRACES_SAMPLER", "xray"),
            ("OTEL_TRACES_SAMPLER", "jaeger_remote"), ("OTEL_TRACES_SAMPLER_ARG", "-0.1"),
            ("OTEL_TRACES_SAMPLER_ARG", "half"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4318"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a b"),
            ("OTEL_SDK_DISABLED", "yes"), ("OTEL_TRACES_EXPORTER", "zipkin"),
        ]
    )
    func refusedValues(variable: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try TestService.configuration([variable: value]) }
        #expect(error?.description.contains(variable) == true)
    }

    @Test("the batch processor's limits and the service name: defaults, accepted values, refused values")
    func batchLimitsAndServiceName() throws {
        let defaults = try TestService.configuration().tracing
        #expect(defaults.maxQueueSize == 2048)
        #expect(defaults.scheduleDelay == .seconds(5))
        #expect(defaults.exportTimeout == .seconds(30))
        #expect(defaults.serviceName == "orders-service")
        let set = try TestService.configuration([
            "OTEL_BSP_SCHEDULE_DELAY": "250", "OTEL_BSP_EXPORT_TIMEOUT": "3600000",
            "OTEL_SERVICE_NAME": "orders staging/eu-west-1 @ v2", "OTEL_BSP_MAX_QUEUE_SIZE": "1",
        ]).tracing
        #expect(set.scheduleDelay == .milliseconds(250))
        #expect(set.exportTimeout == .seconds(3600))
        #expect(set.maxQueueSize == 1)
        #expect(set.serviceName == "orders staging/eu-west-1 @ v2")
        let refused = [
            ("OTEL_BSP_SCHEDULE_DELAY", "0"), ("OTEL_BSP_SCHEDULE_DELAY", "5s"), ("OTEL_BSP_EXPORT_TIMEOUT", "3600001"),
            ("OTEL_SERVICE_NAME", "orders\nservice"), ("OTEL_SERVICE_NAME", "orders<service>"),
            ("OTEL_SERVICE_NAME", String(repeating: "s", count: 201)),
        ]
        for (variable, value) in refused {
            let error = #expect(throws: ConfigurationError.self) { try TestService.configuration([variable: value]) }
            #expect(error?.variable == variable)
        }
        #expect(
            try TestService.configuration(["OTEL_SERVICE_NAME": String(repeating: "s", count: 200)]).tracing.serviceName
                .count == 200
        )
    }

    @Test("X-Amzn-Trace-Id: the Root's 32 hex digits are the trace id; Parent and Sampled are kept")
    func amazonTraceHeader() throws {
        let full = try #require(
            AmazonTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
        )
        #expect(full.traceID == "5759e988bd862e3fe1be46a994272793")
        #expect(full.traceparent(newTraceRatio: 0) == "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01")
        let balancer = try #require(
            AmazonTraceHeader("Self=1-67891234-12456789abcdef012345678; Root=1-67891233-ABCDEF012345678912345678")
        )
        // No Parent: the trace id's last 16 hex digits stand in; no Sampled: the ratio decides.
        #expect(balancer.traceparent(newTraceRatio: 1) == "00-67891233abcdef012345678912345678-2345678912345678-01")
        #expect(balancer.traceparent(newTraceRatio: 0).hasSuffix("-00"))
    }

    @Test(
        "a malformed X-Amzn-Trace-Id is ignored",
        arguments: [
            "", "Root=", "Root=2-5759e988-bd862e3fe1be46a994272793", "Root=1-5759e98-bd862e3fe1be46a994272793",
            "Root=1-5759e988-bd862e3fe1be46a99427279z", "Root=1-00000000-000000000000000000000000",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz", "Parent=53995c3f42cd8ad8",
            "Root=1-5759e988-bd862e3fe1be46a994272793;" + String(repeating: "a", count: 300),
        ]
    )
    func malformedAmazonTraceHeader(value: String) {
        #expect(AmazonTraceHeader(value) == nil)
    }

    @Test("new-trace decisions split at the ratio of the id range")
    func ratioDecision() {
        #expect(AmazonTraceHeader.keeps(0, ratio: 0.5))
        #expect(!AmazonTraceHeader.keeps(UInt64.max, ratio: 0.5))
        #expect(!AmazonTraceHeader.keeps(0, ratio: 0))
        #expect(AmazonTraceHeader.keeps(UInt64.max, ratio: 1))
    }

    @Test(
        "traceparent: only the W3C form is continued",
        arguments: [
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true),
            ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", true),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false),
            ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false),
            ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false),
            ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false),
            ("garbage", false),
        ]
    )
    func traceparentForm(value: String, accepted: Bool) {
        #expect(RequestTracingMiddleware.isWellFormedTraceparent(value) == accepted)
    }
}
