/// The one SSM Parameter Store call the operator commands make.
package struct ParameterStore: Sendable {
    /// The client that signs and sends the calls.
    let client: AWSClient

    /// Parameter Store through `client`.
    package init(client: AWSClient) {
        self.client = client
    }

    /// What `PutParameter` answers.
    package struct WrittenVersion: Decodable, Sendable {
        /// The parameter's version number.
        package let version: Int
    }

    /// `PutParameter` of a `SecureString` named `name`, encrypted with `kmsKeyID` (the account's
    /// `aws/ssm` key when nil). Without `overwrite`, `ParameterAlreadyExists` when the name is taken.
    package func putSecureString(
        name: String,
        value: String,
        description: String,
        kmsKeyID: String?,
        overwrite: Bool
    ) async throws -> WrittenVersion {
        struct Request: Encodable {
            let name: String
            let value: String
            let description: String
            let type = "SecureString"
            let keyId: String?
            let overwrite: Bool
        }
        return try await client.call(
            .ssm,
            "PutParameter",
            Request(name: name, value: value, description: description, keyId: kmsKeyID, overwrite: overwrite),
            as: WrittenVersion.self
        )
    }
}
