import Testing

@testable import AWSSecrets

/// Signature Version 4 against signatures botocore computed for the same requests (the AWS CLI's own
/// signer, an independent implementation): `SigV4Auth(Credentials(...), service, region).add_auth(...)`
/// at 2025-03-14T09:26:53Z with AWS's documented example key.
@Suite("AWS Signature Version 4")
struct SignatureV4Tests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        sessionToken: nil
    )
    /// 2025-03-14T09:26:53Z.
    static let when: Int64 = 1_741_944_413

    static let getSecretValue = SignatureV4.Request(
        method: "POST",
        path: "/",
        headers: [
            ("Host", "secretsmanager.eu-west-1.amazonaws.com"),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "secretsmanager.GetSecretValue"),
        ],
        payload: Array(#"{"SecretId":"cloud-app-platform/keys/c-1"}"#.utf8)
    )

    private func header(_ name: String, _ headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name == name }?.value
    }

    @Test("a Secrets Manager call signed with a long-term key")
    func longTermKey() {
        let signer = SignatureV4(credentials: Self.credentials, region: "eu-west-1", service: "secretsmanager")
        let headers = signer.signingHeaders(for: Self.getSecretValue, secondsSinceEpoch: Self.when)
        #expect(header("X-Amz-Date", headers) == "20250314T092653Z")
        #expect(header("X-Amz-Security-Token", headers) == nil)
        #expect(
            header("Authorization", headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/secretsmanager/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                + "Signature=54329104373e64e139c35831000a956632f1a9dec31277e0fc2d86d5dd612475"
        )
    }

    @Test("temporary credentials sign their session token too")
    func sessionToken() {
        let temporary = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: "FQoGZXIvYXdzEXAMPLETOKEN"
        )
        let signer = SignatureV4(credentials: temporary, region: "eu-west-1", service: "secretsmanager")
        let headers = signer.signingHeaders(for: Self.getSecretValue, secondsSinceEpoch: Self.when)
        #expect(header("X-Amz-Security-Token", headers) == "FQoGZXIvYXdzEXAMPLETOKEN")
        #expect(
            header("Authorization", headers)?.hasSuffix(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
                    + "Signature=cfdfb5468a3afbcbc4ce6591670c5c0bc2433750fb99bf04f0b31eb4d1ae637f"
            ) == true
        )
    }

    @Test("a query string is sorted and encoded as the canonical request requires")
    func query() {
        let request = SignatureV4.Request(
            method: "GET",
            path: "/",
            query: [("Version", "2010-05-08"), ("Action", "ListUsers"), ("Marker", "a b/c")],
            headers: [
                ("Host", "iam.amazonaws.com"), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ],
            payload: []
        )
        let signer = SignatureV4(credentials: Self.credentials, region: "us-east-1", service: "iam")
        let headers = signer.signingHeaders(for: request, secondsSinceEpoch: Self.when)
        #expect(
            header("Authorization", headers)?.hasSuffix(
                "Signature=5c3a2d135e96a34e2fc194f0be884e9c3de0527f49898f40e1ae6c0ce88f9c5d"
            ) == true
        )
    }

    @Test("a changed body, key or region changes the signature")
    func everyInputCounts() {
        let signer = SignatureV4(credentials: Self.credentials, region: "eu-west-1", service: "secretsmanager")
        let original = signer.signingHeaders(for: Self.getSecretValue, secondsSinceEpoch: Self.when)
        var changed = Self.getSecretValue
        changed.payload = Array(#"{"SecretId":"another"}"#.utf8)
        let otherRegion = SignatureV4(credentials: Self.credentials, region: "eu-west-2", service: "secretsmanager")
        for headers in [
            signer.signingHeaders(for: changed, secondsSinceEpoch: Self.when),
            otherRegion.signingHeaders(for: Self.getSecretValue, secondsSinceEpoch: Self.when),
            signer.signingHeaders(for: Self.getSecretValue, secondsSinceEpoch: Self.when + 1),
        ] {
            #expect(header("Authorization", headers) != header("Authorization", original))
        }
    }

    @Test(
        "dates are UTC in the compact ISO 8601 form",
        arguments: [
            (Int64(0), "19700101T000000Z"), (Int64(951_782_400), "20000229T000000Z"),
            (Int64(1_741_944_413), "20250314T092653Z"), (Int64(4_102_444_799), "20991231T235959Z"),
        ]
    )
    func dates(seconds: Int64, expected: String) {
        #expect(SignatureV4.amzDate(secondsSinceEpoch: seconds) == expected)
    }

    @Test("only RFC 3986's unreserved characters stay as they are")
    func uriEncoding() {
        #expect(SignatureV4.uriEncode("AZaz09-_.~") == "AZaz09-_.~")
        #expect(SignatureV4.uriEncode("a b/c+d=é") == "a%20b%2Fc%2Bd%3D%C3%A9")
    }
}

@Suite("AWS settings from the environment")
struct AWSSettingsTests {
    @Test("the emulator's settings: its endpoint and CA bundle, static credentials")
    func emulator() throws {
        let settings = try AWSSettings(environment: [
            "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "https://127.0.0.1:4566",
            "AWS_CA_BUNDLE": "/tmp/moto.pem", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "secret",
        ])
        #expect(settings.endpoint(for: .secretsManager) == "https://127.0.0.1:4566")
        #expect(settings.endpoint(for: .ssm) == "https://127.0.0.1:4566")
        #expect(settings.caBundlePath == "/tmp/moto.pem")
        #expect(
            settings.credentialSource
                == .environment(AWSCredentials(accessKeyID: "test", secretAccessKey: "secret", sessionToken: nil))
        )
    }

    @Test("on ECS: the regional endpoint and the task role's credentials from 169.254.170.2")
    func ecsTask() throws {
        let settings = try AWSSettings(environment: [
            "AWS_DEFAULT_REGION": "eu-central-1", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc",
        ])
        #expect(settings.endpoint(for: .secretsManager) == "https://secretsmanager.eu-central-1.amazonaws.com")
        #expect(settings.endpoint(for: .ssm) == "https://ssm.eu-central-1.amazonaws.com")
        #expect(
            settings.credentialSource == .container(url: "http://169.254.170.2/v2/credentials/abc", authorization: nil)
        )
    }

    @Test("a service's own endpoint wins over the global one")
    func serviceEndpoint() throws {
        let settings = try AWSSettings(environment: [
            "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "https://127.0.0.1:1",
            "AWS_ENDPOINT_URL_SSM": "https://127.0.0.1:2", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
        ])
        #expect(settings.endpoint(for: .ssm) == "https://127.0.0.1:2")
        #expect(settings.endpoint(for: .secretsManager) == "https://127.0.0.1:1")
    }

    @Test(
        "what cannot work is refused with the variable's name",
        arguments: [
            ([String: String](), "AWS_REGION"),
            (["AWS_REGION": "eu west"], "AWS_REGION"),
            (["AWS_REGION": "eu-west-1"], "credentials"),
            (
                [
                    "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
                    "AWS_ENDPOINT_URL": "ftp://x",
                ], "AWS_ENDPOINT_URL"
            ),
            (
                ["AWS_REGION": "eu-west-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://203.0.113.9/creds"],
                "FULL_URI"
            ),
        ]
    )
    func refused(environment: [String: String], named: String) {
        #expect {
            try AWSSettings(environment: environment)
        } throws: { error in
            String(describing: error).contains(named)
        }
    }

    @Test("an error answer names AWS's error type and message")
    func serviceErrors() {
        let namespaced = AWSClient.serviceError(
            status: 400,
            body: Array(#"{"__type":"com.amazonaws.secretsmanager#ResourceExistsException","Message":"exists"}"#.utf8)
        )
        #expect(namespaced.type == "ResourceExistsException")
        #expect(namespaced.message == "exists")
        let plain = AWSClient.serviceError(
            status: 400,
            body: Array(#"{"__type":"ParameterAlreadyExists","message":"m"}"#.utf8)
        )
        #expect(plain.type == "ParameterAlreadyExists")
        let html = AWSClient.serviceError(status: 502, body: Array("<html>".utf8))
        #expect(html.type == "HTTP502")
    }
}
