/// An AWS API this client calls, with the names its endpoint, signature and JSON protocol use.
package struct AWSService: Sendable {
    /// The endpoint's host prefix and the signature's service name (`secretsmanager`).
    let signingName: String
    /// The prefix of the `X-Amz-Target` header (`secretsmanager`, `AmazonSSM`).
    let targetPrefix: String
    /// The suffix of the service's own endpoint variable, `AWS_ENDPOINT_URL_<suffix>`.
    let endpointVariableSuffix: String

    /// AWS Secrets Manager.
    package static let secretsManager = AWSService(
        signingName: "secretsmanager",
        targetPrefix: "secretsmanager",
        endpointVariableSuffix: "SECRETS_MANAGER"
    )

    /// AWS Systems Manager (its Parameter Store).
    package static let ssm = AWSService(signingName: "ssm", targetPrefix: "AmazonSSM", endpointVariableSuffix: "SSM")
}
