import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What PostgreSQL keeps of a password for SCRAM-SHA-256 logins (RFC 5802, RFC 7677), in its own text
/// form: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, each part in base64.
///
/// The service computes it, as `psql`'s `\password` does, and sends it in `CREATE ROLE` and
/// `ALTER ROLE ... PASSWORD` in place of the password. PostgreSQL stores a verifier it is given as it is,
/// so a server that logs statements (RDS logs DDL to CloudWatch) logs this text, which nobody can log
/// in with, and never the password.
package struct SCRAMVerifier: Sendable, Equatable, CustomStringConvertible {
    /// PostgreSQL's default (`scram_iterations`), which `\password` uses too.
    package static let defaultIterations = 4096
    /// PostgreSQL's salt length.
    package static let saltByteCount = 16

    /// Rounds of HMAC in the salted password.
    let iterations: Int
    /// The salt, random per verifier.
    let salt: [UInt8]
    /// SHA-256 of the client key: the server checks a client's proof against it.
    let storedKey: [UInt8]
    /// The key the server proves itself with.
    let serverKey: [UInt8]

    /// A password the verifier cannot be computed from as PostgreSQL would.
    package struct UnsupportedPassword: Error, CustomStringConvertible {
        package var description: String {
            "the password must be 1 to 1024 printable ASCII characters (SASLprep leaves those unchanged)"
        }
    }

    /// The verifier of `password` with a new random salt and PostgreSQL's default iterations.
    package init(password: String) throws(UnsupportedPassword) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        try self.init(password: password, salt: salt, iterations: Self.defaultIterations)
    }

    /// The verifier of `password` with this salt and iteration count.
    ///
    /// PostgreSQL first normalises a password with SASLprep (RFC 4013). Printable ASCII passes through it
    /// unchanged, so the service accepts only that and never needs the normalisation tables: the passwords
    /// it handles are generated (letters, digits and a few punctuation marks).
    package init(password: String, salt: [UInt8], iterations: Int) throws(UnsupportedPassword) {
        let bytes = Array(password.utf8)
        guard (1...1024).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else {
            throw UnsupportedPassword()
        }
        let saltedPassword = Self.hi(password: bytes, salt: salt, iterations: iterations)
        let key = SymmetricKey(data: saltedPassword)
        let clientKey = HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: key)
        self.iterations = iterations
        self.salt = salt
        self.storedKey = Array(SHA256.hash(data: Array(clientKey)))
        self.serverKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: key))
    }

    /// Reads PostgreSQL's text form, as `pg_authid.rolpassword` holds it; nil for anything else.
    package init?(parsing text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "SCRAM-SHA-256" else { return nil }
        let parameters = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        let keys = parts[2].split(separator: ":", omittingEmptySubsequences: false)
        guard parameters.count == 2, keys.count == 2, let iterations = Int(parameters[0]), iterations > 0,
            let salt = Data(base64Encoded: String(parameters[1])),
            let storedKey = Data(base64Encoded: String(keys[0])), storedKey.count == 32,
            let serverKey = Data(base64Encoded: String(keys[1])), serverKey.count == 32
        else { return nil }
        self.iterations = iterations
        self.salt = Array(salt)
        self.storedKey = Array(storedKey)
        self.serverKey = Array(serverKey)
    }

    /// PostgreSQL's text form, which `CREATE ROLE ... PASSWORD` recognises and stores as it is.
    package var description: String {
        "SCRAM-SHA-256$\(iterations):\(Self.base64(salt))$\(Self.base64(storedKey)):\(Self.base64(serverKey))"
    }

    /// RFC 5802's `Hi()`: PBKDF2 with HMAC-SHA-256, one block of output.
    static func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = block
        for _ in 1..<max(1, iterations) {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
