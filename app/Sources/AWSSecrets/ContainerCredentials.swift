import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The task role's temporary credentials, from the container credentials endpoint that ECS runs for every
/// task with a task role (`http://169.254.170.2` + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`).
enum ContainerCredentials {
    /// The endpoint's JSON answer.
    private struct Answer: Decodable {
        let accessKeyId: String
        let secretAccessKey: String
        let token: String?
    }

    /// Fetches the credentials from `url`, sending `authorization` when set.
    static func fetch(url: String, authorization: String?, client: AWSClient) async throws -> AWSCredentials {
        guard let parts = URLParts(url) else {
            throw AWSConfigurationError("the container credentials endpoint \(url) is not an http or https URL")
        }
        let request = HTTPExchange.Request(
            method: .GET,
            url: parts,
            headers: authorization.map { [("Authorization", $0)] } ?? [],
            body: []
        )
        let (status, body) = try await client.execute(request, what: "the container credentials endpoint")
        guard status == 200, let answer = try? AWSJSON.decoder().decode(Answer.self, from: Data(body)) else {
            throw AWSServiceError(
                type: "CredentialsUnavailable",
                message: "the container credentials endpoint answered HTTP \(status) without credentials",
                status: status
            )
        }
        return AWSCredentials(
            accessKeyID: answer.accessKeyId,
            secretAccessKey: answer.secretAccessKey,
            sessionToken: answer.token
        )
    }
}
