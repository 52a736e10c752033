import AWSSecrets

/// Where `keys create` hands a new token: somewhere only the operator who asked reads it.
enum KeyDestination: Sendable, Equatable {
    /// Standard output, when it is a terminal or `--to-stdout` says the operator's capture is safe.
    case standardOutput
    /// A Secrets Manager secret of this name, created (or, with `--replace`, given a new version).
    case secretsManager(name: String)
    /// An SSM `SecureString` parameter of this name, created (or, with `--replace`, overwritten).
    case ssmParameter(name: String)

    /// A description of the secret or parameter the token is stored in.
    struct Stored: Sendable {
        /// What the destination is, for the operator: its ARN or name, and its version.
        let location: String
        /// The command that reads the token back.
        let readCommand: String
    }

    /// Stores `token` in the secret or parameter; `description` says whose key it is. Without `replace`, an
    /// existing secret or parameter of that name is refused, so no earlier key is overwritten by mistake.
    func store(
        token: String,
        description: String,
        kmsKeyID: String?,
        replace: Bool,
        aws: AWSSettings
    ) async throws -> Stored {
        switch self {
        case .standardOutput:
            preconditionFailure("standard output is written directly")
        case .secretsManager(let name):
            return try await AWSClient.with(settings: aws) { client in
                let secrets = SecretsManager(client: client)
                let written = try await Self.refusingTaken(
                    "ResourceExistsException",
                    "Secrets Manager already has a secret named \(name); pass --replace to give it a new version (the "
                        + "current one stays readable as AWSPREVIOUS), or name another"
                ) {
                    do {
                        return try await secrets.createSecret(
                            name: name,
                            value: token,
                            description: description,
                            kmsKeyID: kmsKeyID
                        )
                    } catch let error as AWSServiceError where error.type == "ResourceExistsException" && replace {
                        return try await secrets.putSecretValue(secretID: name, value: token)
                    }
                }
                return Stored(
                    location: "Secrets Manager secret \(written.arn) (version \(written.versionId))",
                    readCommand: "aws secretsmanager get-secret-value --secret-id '\(written.arn)' "
                        + "--query SecretString --output text"
                )
            }
        case .ssmParameter(let name):
            return try await AWSClient.with(settings: aws) { client in
                let written = try await Self.refusingTaken(
                    "ParameterAlreadyExists",
                    "SSM already has a parameter named \(name); pass --replace to overwrite it (its history keeps the "
                        + "earlier value), or name another"
                ) {
                    try await ParameterStore(client: client).putSecureString(
                        name: name,
                        value: token,
                        description: description,
                        kmsKeyID: kmsKeyID,
                        overwrite: replace
                    )
                }
                return Stored(
                    location: "SSM SecureString parameter \(name) (version \(written.version))",
                    readCommand: "aws ssm get-parameter --name '\(name)' --with-decryption "
                        + "--query Parameter.Value --output text"
                )
            }
        }
    }

    /// The secret or parameter exists and `--replace` was not given.
    struct DestinationTaken: Error, CustomStringConvertible {
        let description: String
    }

    /// `write`'s result, or ``DestinationTaken`` with `explanation` when AWS answers `errorType`, the
    /// service's "that name is taken".
    private static func refusingTaken<Written>(
        _ errorType: String,
        _ explanation: String,
        _ write: () async throws -> Written
    ) async throws -> Written {
        do {
            return try await write()
        } catch let error as AWSServiceError where error.type == errorType {
            throw DestinationTaken(description: explanation)
        }
    }
}
