import AWSSecrets
import OrdersService

extension AWSSettings {
    /// The AWS variables the SDKs and the CLI read, through the same reader as every other setting (the
    /// secret ones marked, so they are never printed).
    init(settings: SettingsReader) throws(AWSConfigurationError) {
        let environment: [String: String?] = [
            "AWS_REGION": settings.string("AWS_REGION"),
            "AWS_DEFAULT_REGION": settings.string("AWS_DEFAULT_REGION"),
            "AWS_ENDPOINT_URL": settings.string("AWS_ENDPOINT_URL"),
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": settings.string("AWS_ENDPOINT_URL_SECRETS_MANAGER"),
            "AWS_ENDPOINT_URL_SSM": settings.string("AWS_ENDPOINT_URL_SSM"),
            "AWS_CA_BUNDLE": settings.string("AWS_CA_BUNDLE"),
            "AWS_ACCESS_KEY_ID": settings.string("AWS_ACCESS_KEY_ID"),
            "AWS_SECRET_ACCESS_KEY": settings.string("AWS_SECRET_ACCESS_KEY", isSecret: true),
            "AWS_SESSION_TOKEN": settings.string("AWS_SESSION_TOKEN", isSecret: true),
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": settings.string("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": settings.string("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": settings.string("AWS_CONTAINER_AUTHORIZATION_TOKEN", isSecret: true),
        ]
        try self.init(environment: environment.compactMapValues { $0 })
    }
}
