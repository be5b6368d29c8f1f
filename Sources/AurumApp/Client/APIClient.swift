import ArgumentParser
import AsyncHTTPClient
import AurumCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Talks to an Aurum server for the steward and import commands.
struct APIClient: Sendable {
    var baseURL: String
    var token: String

    /// A response: its status and body bytes.
    struct Reply {
        var status: Int
        var body: Data
        /// The server answered an `Idempotency-Key` it had answered before: the answer of then.
        var replayed = false

        /// The body as `T`, when the call succeeded.
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: body) } catch {
                throw APIError.unreadable("the server's answer could not be read: \(error)")
            }
        }
    }

    /// Sends a request; transport failures become `APIError.unreachable`, problem+json answers `APIError.refused`.
    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json",
              idempotencyKey: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await Self.http.execute(request, timeout: .seconds(300))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw APIError.unreachable(Self.unreachable(baseURL, error))
        }
        let reply = Reply(status: Int(response.status.code), body: Data(buffer: bytes),
                          replayed: response.headers.first(name: "Idempotent-Replayed") == "true")
        guard (200..<300).contains(reply.status) else {
            // Aurum answers every refusal as problem+json; anything else is another server.
            guard response.headers.first(name: "Content-Type")?.hasPrefix("application/problem+json") == true else {
                throw APIError.notAurum("the server at \(baseURL) answered \(reply.status) to \(method.rawValue) \(path) without an Aurum "
                                        + "problem; it does not look like an Aurum server. Check AURUM_URL (or --url)")
            }
            throw APIError.refused(status: reply.status, problem: ProblemBody.read(reply.body))
        }
        return reply
    }

    /// Why the server could not be reached, in words and with what to do.
    static func unreachable(_ baseURL: String, _ error: any Error) -> String {
        let address = URLComponents(string: baseURL).map { "\($0.host ?? "?"):\($0.port.map(String.init) ?? ($0.scheme == "https" ? "443" : "80"))" }
            ?? baseURL
        let text = String(describing: error)
        if (error as? IOError)?.errnoCode == ECONNREFUSED || text.contains("Connection refused") || text.contains("errno: 111") {
            return "nothing listens on \(address) — is `aurum serve` running? Set AURUM_URL (or --url) to the server's address"
        }
        if let http = error as? HTTPClientError, http == .connectTimeout || http == .deadlineExceeded || http == .readTimeout {
            return "\(address) did not answer in time (\(http == .connectTimeout ? "no connection within 5 s" : "no answer within 300 s")); "
                + "is the server up and reachable from here?"
        }
        if error is NIOConnectionError || text.contains("NIOConnectionError") || text.contains("getaddrinfo") || text.contains("lookup") {
            return "cannot connect to \(address): the name does not resolve or the host is unreachable; check AURUM_URL (or --url)"
        }
        if let http = error as? HTTPClientError, http == .remoteConnectionClosed
            || (error as? IOError)?.errnoCode == ECONNRESET || text.contains("Connection reset by peer") {
            return "\(address) closed the connection before answering; is it an Aurum server, and is it plain HTTP (or HTTPS) as the URL says?"
        }
        return "cannot reach Aurum at \(baseURL): \(text); is `aurum serve` running? Set AURUM_URL (or --url)"
    }

    /// One HTTP client for the process: a server that cannot be reached is reported after 5 seconds
    /// of connection retries rather than the default's long wait.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(300))
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Sends `value` as JSON.
    func send(_ method: HTTPMethod, _ path: String, json value: some Encodable) async throws -> Reply {
        try await send(method, path, body: JSONOutput.data(value))
    }

    /// Sends `value` as JSON with an `Idempotency-Key` made of the request itself (its path and
    /// body, and `salt` when given), so that sending it again, now or after a failure, does its
    /// work once; a request whose answer was lost on the way is sent again up to twice.
    func sendOnce(_ method: HTTPMethod, _ path: String, json value: some Encodable, salt: String = "") async throws -> Reply {
        let body = JSONOutput.data(value)
        let key = "aurum-" + SHA256Hex.of(Array("\(salt)\(method.rawValue) \(path)\n".utf8) + Array(body))
        var attempt = 1
        while true {
            do {
                return try await send(method, path, body: body, idempotencyKey: key)
            } catch APIError.unreachable where attempt < 3 {
                try await Task.sleep(for: .seconds(attempt))
                attempt += 1
            }
        }
    }
}

/// The fields of an RFC 9457 problem the CLI shows.
struct ProblemBody: Decodable, Sendable {
    struct Item: Decodable, Sendable { var path: String; var message: String }
    var title: String?
    var detail: String?
    var errors: [Item]?
    /// For a batch that stopped part-way: the results of the candidates that were stored.
    var stored: [IngestResult]?

    static func read(_ data: Data) -> ProblemBody {
        (try? JSONDecoder().decode(ProblemBody.self, from: data))
            ?? ProblemBody(title: nil, detail: String(decoding: data.prefix(500), as: UTF8.self), errors: nil)
    }
}

/// Why a call to the server did not succeed.
enum APIError: Error, CustomStringConvertible {
    case unreachable(String)
    case refused(status: Int, problem: ProblemBody)
    case unreadable(String)
    /// Something answered that is not Aurum (a 404 from another web server).
    case notAurum(String)

    /// The command's exit code for this failure (the table in `aurum --help` and the README).
    var exitCode: ExitCode {
        switch self {
        case .unreachable, .notAurum: return ExitStatus.unreachable
        case .unreadable: return ExitStatus.refused
        case .refused(let status, _): return ExitStatus.of(httpStatus: status)
        }
    }

    var description: String {
        switch self {
        case .unreachable(let message), .unreadable(let message), .notAurum(let message): return message
        case .refused(let status, let problem):
            // Each error once: one the detail already says is not listed under it again.
            let detail = problem.detail ?? ""
            let lines = (problem.errors ?? []).map { "\($0.path): \($0.message)" }.filter { !detail.contains($0) }.map { "  " + $0 }
            return (["\(status) \(problem.title ?? "error"): \(detail)"] + lines).joined(separator: "\n")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
