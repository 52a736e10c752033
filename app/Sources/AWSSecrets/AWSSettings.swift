/// Where the AWS calls go and with whose credentials, read from the variables the AWS SDKs and CLI read.
///
/// - Region: `AWS_REGION`, else `AWS_DEFAULT_REGION`.
/// - Endpoint: `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` when set (an emulator on loopback in
///   the tests), else the service's regional endpoint over HTTPS.
/// - Trust: the system's certificate authorities, or only those of the PEM file `AWS_CA_BUNDLE`.
/// - Credentials: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`), else the
///   task role's, from the ECS credentials endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, on
///   169.254.170.2, which ECS sets in every task with a task role) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
package struct AWSSettings: Sendable {
    /// Where credentials come from.
    enum CredentialSource: Sendable, Equatable {
        /// Given in the environment.
        case environment(AWSCredentials)
        /// Fetched from a container credentials endpoint, with an `Authorization` value when one is set.
        case container(url: String, authorization: String?)
    }

    /// The region.
    package let region: String
    /// The endpoint of every service, when one is set for all.
    let globalEndpoint: String?
    /// Service endpoints set one by one, by the suffix of their variable.
    let serviceEndpoints: [String: String]
    /// A PEM file of the certificate authorities to trust instead of the system's.
    let caBundlePath: String?
    /// Where credentials come from.
    let credentialSource: CredentialSource

    /// The link-local address of the ECS credentials endpoint.
    static let ecsCredentialsHost = "169.254.170.2"

    /// Reads the settings from `environment`; a missing region or credential source, or an endpoint that
    /// is not an http(s) URL, is an ``AWSConfigurationError``.
    package init(environment: [String: String]) throws(AWSConfigurationError) {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        guard let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") else {
            throw AWSConfigurationError("AWS_REGION is not set: name the region of the secret or parameter")
        }
        guard region.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }),
            (1...32).contains(region.utf8.count)
        else {
            throw AWSConfigurationError("AWS_REGION=\"\(region)\" is not a region name such as eu-west-1")
        }
        self.region = region
        globalEndpoint = try value("AWS_ENDPOINT_URL").map { url throws(AWSConfigurationError) in
            try Self.endpoint(url, variable: "AWS_ENDPOINT_URL")
        }
        var serviceEndpoints: [String: String] = [:]
        for suffix in [AWSService.secretsManager.endpointVariableSuffix, AWSService.ssm.endpointVariableSuffix] {
            let variable = "AWS_ENDPOINT_URL_" + suffix
            if let url = value(variable) { serviceEndpoints[suffix] = try Self.endpoint(url, variable: variable) }
        }
        self.serviceEndpoints = serviceEndpoints
        caBundlePath = value("AWS_CA_BUNDLE")
        if let keyID = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
            credentialSource = .environment(
                AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
            )
        } else if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            guard relative.hasPrefix("/") else {
                throw AWSConfigurationError("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with /")
            }
            credentialSource = .container(url: "http://\(Self.ecsCredentialsHost)\(relative)", authorization: nil)
        } else if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            guard Self.isAllowedCredentialsURL(full) else {
                throw AWSConfigurationError(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on loopback or the ECS or EKS endpoint"
                )
            }
            credentialSource = .container(url: full, authorization: value("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
        } else {
            throw AWSConfigurationError(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with a task role"
                    + " (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"
            )
        }
    }

    /// The base URL requests to `service` go to, without a trailing slash.
    func endpoint(for service: AWSService) -> String {
        if let url = serviceEndpoints[service.endpointVariableSuffix] ?? globalEndpoint { return url }
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(service.signingName).\(region).\(domain)"
    }

    private static func endpoint(_ url: String, variable: String) throws(AWSConfigurationError) -> String {
        guard let parts = URLParts(url), parts.path.isEmpty || parts.path == "/" else {
            throw AWSConfigurationError(
                "\(variable) must be an http or https URL with no path, such as https://host:port"
            )
        }
        return parts.base
    }

    private static func isAllowedCredentialsURL(_ url: String) -> Bool {
        guard let parts = URLParts(url) else { return false }
        if parts.scheme == "https" { return true }
        return parts.host.hasPrefix("127.")
            || ["localhost", "[::1]", ecsCredentialsHost, "169.254.170.23"].contains(parts.host)
    }
}
