#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The three Secrets Manager calls the operator commands make.
package struct SecretsManager: Sendable {
    /// The client that signs and sends the calls.
    let client: AWSClient

    /// Secrets Manager through `client`.
    package init(client: AWSClient) {
        self.client = client
    }

    /// A version of a secret that a call wrote.
    package struct WrittenVersion: Decodable, Sendable {
        /// The secret's ARN.
        package let arn: String
        /// The new version's id.
        package let versionId: String
    }

    /// A secret's current value.
    package struct CurrentValue: Decodable, Sendable {
        /// The secret's ARN.
        package let arn: String
        /// The value, when it is a string.
        package let secretString: String?
    }

    /// `CreateSecret`: a new secret named `name` holding `value`, encrypted with `kmsKeyID` (the account's
    /// `aws/secretsmanager` key when nil). `ResourceExistsException` when the name is taken.
    package func createSecret(
        name: String,
        value: String,
        description: String,
        kmsKeyID: String?
    ) async throws -> WrittenVersion {
        struct Request: Encodable {
            let name: String
            let secretString: String
            let description: String
            let kmsKeyId: String?
            let clientRequestToken: String
        }
        return try await client.call(
            .secretsManager,
            "CreateSecret",
            Request(
                name: name,
                secretString: value,
                description: description,
                kmsKeyId: kmsKeyID,
                clientRequestToken: UUID().uuidString
            ),
            as: WrittenVersion.self
        )
    }

    /// `PutSecretValue`: a new current version of `secretID` (a name or an ARN) holding `value`; the
    /// version it replaces stays readable as `AWSPREVIOUS`.
    package func putSecretValue(secretID: String, value: String) async throws -> WrittenVersion {
        struct Request: Encodable {
            let secretId: String
            let secretString: String
            let clientRequestToken: String
        }
        return try await client.call(
            .secretsManager,
            "PutSecretValue",
            Request(secretId: secretID, secretString: value, clientRequestToken: UUID().uuidString),
            as: WrittenVersion.self
        )
    }

    /// `GetSecretValue`: the current version of `secretID`.
    package func getSecretValue(secretID: String) async throws -> CurrentValue {
        struct Request: Encodable {
            let secretId: String
        }
        return try await client.call(
            .secretsManager,
            "GetSecretValue",
            Request(secretId: secretID),
            as: CurrentValue.self
        )
    }
}
