#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JSON as AWS's JSON protocol writes its members (`SecretId`, `ARN`), from Swift's lowerCamelCase
/// properties (`secretId`, `arn`).
enum AWSJSON {
    /// Writes `secretId` as `SecretId`.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in
            let name = path.last!.stringValue
            return Key(name.prefix(1).uppercased() + name.dropFirst())
        }
        return encoder
    }

    /// Reads `SecretString` as `secretString`, and an all-capital name such as `ARN` as `arn`.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let name = path.last!.stringValue
            if name.allSatisfy({ $0.isUppercase }) { return Key(name.lowercased()) }
            return Key(name.prefix(1).lowercased() + name.dropFirst())
        }
        return decoder
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }

        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
