import Crypto

/// Signs an AWS request with Signature Version 4, in the `Authorization` header, as AWS's documentation
/// ("Create a signed AWS API request") describes: a canonical form of the request, a string to sign that
/// names the date, region and service, and an HMAC-SHA256 chain from the secret key down to a key for that
/// day, region and service.
package struct SignatureV4: Sendable {
    /// The algorithm's name, as the header and the string to sign write it.
    static let algorithm = "AWS4-HMAC-SHA256"

    /// Whose key signs.
    let credentials: AWSCredentials
    /// The region the request goes to (`eu-west-1`).
    let region: String
    /// The service's signing name (`secretsmanager`, `ssm`).
    let service: String

    /// A signer for `service` in `region` with `credentials`.
    package init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign: what Signature Version 4 covers of it.
    package struct Request: Sendable {
        /// `GET`, `POST`, ...
        var method: String
        /// The path, of unreserved characters and `/` only (these APIs post to `/`).
        var path: String
        /// Query parameters, not yet encoded.
        var query: [(name: String, value: String)]
        /// Every header that is sent and signed, `Host` included.
        var headers: [(name: String, value: String)]
        /// The body.
        var payload: [UInt8]

        /// A request from its parts.
        package init(
            method: String,
            path: String,
            query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)],
            payload: [UInt8]
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payload = payload
        }
    }

    /// The headers that sign `request` at `secondsSinceEpoch` (UTC): `X-Amz-Date`, `X-Amz-Security-Token`
    /// for temporary credentials, and `Authorization`. Add them to the request as it is sent.
    package func signingHeaders(for request: Request, secondsSinceEpoch: Int64) -> [(name: String, value: String)] {
        let timestamp = Self.amzDate(secondsSinceEpoch: secondsSinceEpoch)
        var added: [(name: String, value: String)] = [("X-Amz-Date", timestamp)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        var signed = request
        signed.headers += added
        let signature = signature(of: signed, timestamp: timestamp)
        let scope = credentialScope(day: String(timestamp.prefix(8)))
        added.append(
            (
                "Authorization",
                "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), "
                    + "SignedHeaders=\(Self.signedHeaders(signed.headers)), Signature=\(signature)"
            )
        )
        return added
    }

    /// The hex signature of a request that already carries its `X-Amz-Date` header (`timestamp`).
    func signature(of request: Request, timestamp: String) -> String {
        let day = String(timestamp.prefix(8))
        let stringToSign = [
            Self.algorithm, timestamp, credentialScope(day: day),
            LowercaseHex.encode(SHA256.hash(data: Array(Self.canonicalRequest(request).utf8))),
        ]
        .joined(separator: "\n")
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return LowercaseHex.encode(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// `<day>/<region>/<service>/aws4_request`.
    func credentialScope(day: String) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }

    /// The canonical request: method, path, sorted encoded query, sorted lower-case headers with trimmed
    /// values, the list of signed headers, and the payload's SHA-256.
    static func canonicalRequest(_ request: Request) -> String {
        let encoded: [(name: String, value: String)] = request.query.map { (uriEncode($0.name), uriEncode($0.value)) }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        let query = sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
        let headers = canonicalHeaders(request.headers).map { "\($0.name):\($0.value)\n" }.joined()
        return [
            request.method, request.path, query, headers, signedHeaders(request.headers),
            LowercaseHex.encode(SHA256.hash(data: request.payload)),
        ]
        .joined(separator: "\n")
    }

    /// The headers' names in lower case, sorted, separated by `;`.
    static func signedHeaders(_ headers: [(name: String, value: String)]) -> String {
        canonicalHeaders(headers).map(\.name).joined(separator: ";")
    }

    private static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)]
    {
        var merged: [String: [String]] = [:]
        for header in headers {
            let value = header.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[header.name.lowercased(), default: []].append(value)
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    /// Percent-encodes every byte but the unreserved characters of RFC 3986, with upper-case hex.
    static func uriEncode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in text.utf8 {
            let unreserved =
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved {
                encoded.append(byte)
            } else {
                encoded += [0x25, digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    static func amzDate(secondsSinceEpoch: Int64) -> String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondsOfDay = secondsSinceEpoch - days * 86_400
        // Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)\(two(month))\(two(day))T\(two(secondsOfDay / 3600))\(two(secondsOfDay % 3600 / 60))"
            + "\(two(secondsOfDay % 60))Z"
    }
}
