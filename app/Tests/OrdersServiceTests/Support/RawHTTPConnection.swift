import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection speaking just enough HTTP/1.1 for the tests that must see the socket itself:
/// keep-alive timing and a request in flight during shutdown. Its blocking calls run on a dispatch
/// queue, never on the test's cooperative threads, which the in-process server needs.
final class RawHTTPConnection: @unchecked Sendable {
    // @unchecked: the descriptor is only touched from `queue`, one call at a time.
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "raw-http")

    struct Reply: Sendable {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    /// Connects to 127.0.0.1:`port`. The descriptor becomes the connection's only once it is connected:
    /// a class whose stored properties are all set runs `deinit` even when its initialiser throws, so
    /// closing a descriptor already stored here would close it twice, and the second `close` could
    /// hit a file another thread has just opened under the same number.
    init(port: Int, timeoutSeconds: Int = 10) throws {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw TestFailure("socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socketDescriptor)
            throw TestFailure("cannot connect to 127.0.0.1:\(port)")
        }
        descriptor = socketDescriptor
    }

    deinit { close(descriptor) }

    /// Sends one GET and reads its response (Content-Length framed).
    func get(_ path: String, keepAlive: Bool = true) async throws -> Reply {
        try await send(
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        )
    }

    /// Sends `request` exactly as given (head and body, with its own framing) and reads the response.
    func send(_ request: String) async throws -> Reply {
        try await run {
            var bytes = Array(request.utf8)[...]
            while !bytes.isEmpty {
                let sent = bytes.withUnsafeBytes {
                    Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else {
                    throw TestFailure("the connection refused the request after \(bytes.startIndex) bytes")
                }
                bytes = bytes.dropFirst(sent)
            }
            return try self.readReply()
        }
    }

    /// Waits up to `seconds` for the server to close the connection; true when it did.
    func waitForClose(seconds: Int) async -> Bool {
        (try? await run {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0
            return recv(self.descriptor, &byte, 1, 0) == 0
        }) ?? false
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func readReply() throws -> Reply {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        func headerEnd() -> Int? {
            guard data.count >= 4 else { return nil }
            for index in 0...(data.count - 4) where data[index..<index + 4].elementsEqual([13, 10, 13, 10]) {
                return index
            }
            return nil
        }
        while headerEnd() == nil {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw TestFailure("connection closed before a response") }
            data += buffer[0..<count]
        }
        let end = headerEnd()!
        let head = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(data[(end + 4)...])
        while body.count < length {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            body += buffer[0..<count]
        }
        return Reply(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }
}

/// A loopback port that was free a moment ago.
func freePort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Polls `GET path` until it answers 200, for up to `seconds`.
func waitUntilServing(port: Int, path: String = "/health/live", seconds: Double = 10) async throws {
    try await waitUntil("GET \(path) on port \(port) answers 200", within: .milliseconds(Int(seconds * 1000))) {
        guard let connection = try? RawHTTPConnection(port: port, timeoutSeconds: 1) else { return false }
        return (try? await connection.get(path, keepAlive: false))?.status == 200
    }
}
