#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 GET over a plain socket with a hard deadline, for the health-check mode: it has to
/// start, probe and exit in a few milliseconds, every few seconds, inside a container with no tools.
enum HealthProbe {
    /// Why a probe failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The address to probe for a server bound to `bindHost`: the wildcard addresses are reached over
    /// loopback.
    static func probeHost(for bindHost: String) -> String {
        switch bindHost {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "::1"
        default: bindHost
        }
    }

    /// Sends `GET path` and returns the response's status code.
    static func get(host: String, port: Int, path: String, timeoutSeconds: Double) -> Result<Int, Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var addresses: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &addresses) == 0, let address = addresses else {
            return .failure(Failure(description: "cannot resolve \(host)"))
        }
        defer { freeaddrinfo(addresses) }

        let socketDescriptor = socket(
            address.pointee.ai_family,
            address.pointee.ai_socktype,
            address.pointee.ai_protocol
        )
        guard socketDescriptor >= 0 else { return .failure(Failure(description: "socket() failed")) }
        defer { close(socketDescriptor) }
        var timeout = timeval(
            tv_sec: Int(timeoutSeconds),
            tv_usec: .init((timeoutSeconds - Double(Int(timeoutSeconds))) * 1_000_000)
        )
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // With SO_SNDTIMEO set, Linux bounds connect() by it as well.
        guard connect(socketDescriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            return .failure(Failure(description: "cannot connect to \(host):\(port)"))
        }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: orders-service-healthcheck\r\nConnection: close\r\n\r\n"
        let sent = request.withCString { send(socketDescriptor, $0, strlen($0), 0) }
        guard sent == request.utf8.count else { return .failure(Failure(description: "cannot send the request")) }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while received.count < 64, !received.contains(UInt8(ascii: "\n")) {
            let count = recv(socketDescriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        // "HTTP/1.1 200 OK": the status is the second space-separated field of the first line.
        let statusLine = String(
            decoding: received.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") },
            as: UTF8.self
        )
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let status = Int(fields[1]) else {
            return .failure(Failure(description: "no HTTP answer within \(timeoutSeconds) s"))
        }
        return .success(status)
    }
}
