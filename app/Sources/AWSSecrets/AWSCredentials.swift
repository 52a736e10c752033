/// An AWS access key, and the session token of temporary ones (a task role's).
package struct AWSCredentials: Sendable, Equatable {
    /// The access key id (`AKIA...` or `ASIA...`): not secret.
    package let accessKeyID: String
    /// The secret access key: never logged.
    let secretAccessKey: String
    /// The session token of temporary credentials; sent as `X-Amz-Security-Token`.
    let sessionToken: String?

    /// Credentials from their parts.
    package init(accessKeyID: String, secretAccessKey: String, sessionToken: String?) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}
