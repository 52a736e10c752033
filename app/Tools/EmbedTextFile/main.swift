// Writes a Swift source file that holds a text file's contents as a static string:
//   EmbedTextFile INPUT OUTPUT TYPE PROPERTY
// produces `extension TYPE { static let PROPERTY: String = ... }`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints `message` to standard error and exits with `status`.
func fail(_ message: String, status: Int32 = 1) -> Never {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(status)
}

/// Reads a whole file as UTF-8 text, or exits with a message naming it.
func readText(atPath path: String) -> String {
    guard let file = fopen(path, "rb") else {
        fail("EmbedTextFile: cannot open \(path)")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}

let arguments = CommandLine.arguments
guard arguments.count == 5 else {
    fail("usage: EmbedTextFile INPUT OUTPUT TYPE PROPERTY", status: 2)
}
let text = readText(atPath: arguments[1])
// A raw string whose delimiter is longer than any run of '#' in the text cannot be ended early.
var longestHashRun = 0
var currentRun = 0
for character in text {
    currentRun = character == "#" ? currentRun + 1 : 0
    longestHashRun = max(longestHashRun, currentRun)
}
let delimiter = String(repeating: "#", count: longestHashRun + 1)
let source = """
    // Generated at build time from openapi.yaml; edit that file, not this one.
    extension \(arguments[3]) {
        /// The document's text, exactly as in the repository.
        static let \(arguments[4]): String = \(delimiter)\"\"\"
    \(text)
    \"\"\"\(delimiter)
    }

    """
guard let output = fopen(arguments[2], "wb") else {
    fail("EmbedTextFile: cannot write \(arguments[2])")
}
fputs(source, output)
fclose(output)
