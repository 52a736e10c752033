import NIOCore
import NIOHTTP1
import NIOSSL

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Calls AWS JSON APIs (Secrets Manager, SSM), each request signed with Signature Version 4 and sent as
/// one ``HTTPExchange``. The operator commands make a handful of calls and exit, so there is no retry
/// and no credential refresh: a temporary credential is fetched once per client.
package final class AWSClient: Sendable {
    /// Where requests go and with whose credentials.
    let settings: AWSSettings
    private let http: HTTPExchange
    private let credentialsTask: CachedCredentials

    private init(settings: AWSSettings, http: HTTPExchange) {
        self.settings = settings
        self.http = http
        self.credentialsTask = CachedCredentials()
    }

    /// Runs `body` with a client for `settings`: TLS trusting the system's certificate authorities, or
    /// only those of `AWS_CA_BUNDLE`; 5 s to connect and 30 s for a whole call.
    package static func with<Value: Sendable>(
        settings: AWSSettings,
        _ body: (AWSClient) async throws -> Value
    ) async throws -> Value {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let bundle = settings.caBundlePath {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(bundle))
            } catch {
                throw AWSConfigurationError("AWS_CA_BUNDLE=\"\(bundle)\" is not a readable PEM file of certificates")
            }
        }
        let http = HTTPExchange(
            tls: try NIOSSLContext(configuration: tls),
            connectTimeout: .seconds(5),
            timeout: .seconds(30),
            maximumResponseBytes: 1 << 20
        )
        return try await body(AWSClient(settings: settings, http: http))
    }

    /// Calls `action` of `service` with the JSON `request`, and decodes the JSON answer.
    package func call<Request: Encodable, Response: Decodable>(
        _ service: AWSService,
        _ action: String,
        _ request: Request,
        as response: Response.Type
    ) async throws -> Response {
        let body = try await send(service, action, payload: Array(try AWSJSON.encoder().encode(request)))
        do {
            return try AWSJSON.decoder().decode(Response.self, from: Data(body))
        } catch {
            throw AWSServiceError(
                type: "MalformedResponse",
                message: "\(action) answered JSON of another form",
                status: 200
            )
        }
    }

    private func send(_ service: AWSService, _ action: String, payload: [UInt8]) async throws -> [UInt8] {
        let endpoint = settings.endpoint(for: service)
        guard let parts = URLParts(endpoint) else {
            throw AWSConfigurationError("the endpoint \(endpoint) is not an http or https URL")
        }
        let headers: [(name: String, value: String)] = [
            ("Host", parts.hostHeader),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "\(service.targetPrefix).\(action)"),
        ]
        let signer = SignatureV4(
            credentials: try await credentials(),
            region: settings.region,
            service: service.signingName
        )
        let signing = signer.signingHeaders(
            for: SignatureV4.Request(method: "POST", path: "/", headers: headers, payload: payload),
            secondsSinceEpoch: Int64(Date().timeIntervalSince1970)
        )
        let request = HTTPExchange.Request(
            method: .POST,
            url: parts,
            headers: (headers + signing).filter { $0.name != "Host" },
            body: payload
        )
        let (status, body) = try await execute(request, what: "\(service.targetPrefix).\(action)")
        guard (200..<300).contains(status) else {
            throw Self.serviceError(status: status, body: body)
        }
        return body
    }

    /// Sends `request` and reads the whole answer; a failure to reach the endpoint is an ``AWSServiceError``
    /// that names what was called.
    func execute(_ request: HTTPExchange.Request, what: String) async throws -> (status: Int, body: [UInt8]) {
        do {
            let response = try await http.send(request)
            return (response.status, response.body)
        } catch {
            throw AWSServiceError(type: "ConnectionFailed", message: "\(what): \(error)", status: 0)
        }
    }

    /// The credentials to sign with: from the environment, or fetched once from the container endpoint.
    func credentials() async throws -> AWSCredentials {
        switch settings.credentialSource {
        case .environment(let credentials):
            return credentials
        case .container(let url, let authorization):
            return try await credentialsTask.value {
                try await ContainerCredentials.fetch(url: url, authorization: authorization, client: self)
            }
        }
    }

    /// The error of a JSON protocol answer: its type from `__type` (`namespace#Type` or `Type`) or the
    /// `x-amzn-ErrorType` convention, and its message.
    static func serviceError(status: Int, body: [UInt8]) -> AWSServiceError {
        struct ErrorBody: Decodable {
            let type: String?
            let message: String?
            let upperCaseMessage: String?

            enum CodingKeys: String, CodingKey {
                case type = "__type"
                case message
                case upperCaseMessage = "Message"
            }
        }
        let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body))
        var type = decoded?.type ?? "HTTP\(status)"
        if let hash = type.lastIndex(of: "#") { type = String(type[type.index(after: hash)...]) }
        if let colon = type.firstIndex(of: ":") { type = String(type[..<colon]) }
        let message = decoded?.message ?? decoded?.upperCaseMessage ?? "no message"
        return AWSServiceError(type: type, message: String(message.prefix(300)), status: status)
    }
}
