import Foundation

/// Bytes over a plain TCP socket, for requests no HTTP client would send (a body shorter than its
/// Content-Length, a malformed chunk): writes them, half-closes, and reads the answer to its end.
public enum RawHTTP {
    /// The answer: status, headers (names lower-cased) and body.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    /// Sends `bytes` to 127.0.0.1:`port` and reads until the server closes or `timeout` passes.
    /// Runs on a thread of its own: the socket calls block.
    public static func exchange(port: Int, _ bytes: [UInt8], timeout: Int = 5) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, bytes, timeout: timeout) })
            }
        }
    }

    /// A request with `headers`, then `body` as given (the Content-Length is the caller's to set).
    public static func request(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8] = []) -> [UInt8] {
        let head = (["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1"] + headers.map { "\($0): \($1)" }).joined(separator: "\r\n")
        return Array((head + "\r\n\r\n").utf8) + body
    }

    static func blockingExchange(port: Int, _ bytes: [UInt8], timeout: Int) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError("cannot open a socket") }
        defer { close(fd) }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawHTTPError("cannot connect to 127.0.0.1:\(port)") }
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { break }  // the server may close early on a malformed request
            sent += written
        }
        shutdown(fd, Int32(SHUT_WR))
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return try parse(received)
    }

    static func parse(_ bytes: [UInt8]) throws -> Answer {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw RawHTTPError("no HTTP answer: \(text.prefix(200))") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusWords = lines[0].split(separator: " ")
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else { throw RawHTTPError("no status line: \(lines[0])") }
        var headers = [String: String]()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}

/// The raw exchange failed before an HTTP answer came back.
public struct RawHTTPError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
