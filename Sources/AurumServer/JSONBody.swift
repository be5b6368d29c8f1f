import AurumCore
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// Reads request bodies into `JSONValue` and writes responses as JSON, with the limits Aurum promises.
enum JSONBody {
    /// `value` as JSON, masked for the caller (see `ResponseMasking`).
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let data = CanonicalJSON.data(value)
        guard ResponseMasking.current != nil else { return ByteBuffer(data: data) }
        return ByteBuffer(bytes: ResponseMasking.apply(Array(data)))
    }

    /// A JSON response with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: encode(value)))
    }

    /// A JSON value written by the direct writer, for large answers (a page of the change feed).
    static func response(direct value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: ResponseMasking.apply(Array(CanonicalJSON.direct(value).utf8)))))
    }

    /// The body's bytes; 413 before reading when Content-Length is over `limit`, or as soon as the
    /// bytes are; 400 when the body is cut short or its chunked encoding is malformed.
    static func bytes(of request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.tooLarge("the body is \(length) bytes; the limit is \(limit) bytes. Send fewer candidates per request")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem.tooLarge("the body is over the limit of \(limit) bytes. Send fewer candidates per request")
        } catch let error as HTTPParserError {
            throw Problem.badRequest(MalformedHTTP.describe(error))
        } catch {
            throw Problem.badRequest("the body could not be read to its end (\(error)); send the whole body as its Content-Length or chunked encoding says")
        }
    }

    /// Parses one JSON document; malformed JSON or invalid UTF-8 is a 400 that says where, in
    /// JSON's terms.
    static func parse(_ buffer: ByteBuffer, what: String = "the body") throws -> JSONValue {
        guard buffer.readableBytes > 0 else { throw Problem.badRequest("\(what) is empty; send a JSON document") }
        do {
            return try JSONParser.parse(Array(buffer: buffer))
        } catch {
            throw Problem.badRequest("\(what) is not valid JSON: \(error.description)")
        }
    }

    /// Reads an optional JSON object body whose members must be among `allowed`.
    static func object(of request: Request, allowed: Set<String>, limit: Int = 64 * 1024) async throws -> [String: JSONValue] {
        let buffer = try await bytes(of: request, limit: limit)
        if buffer.readableBytes == 0 { return [:] }
        guard let object = try parse(buffer).objectValue else {
            throw Problem.unprocessable("the body must be a JSON object with \(allowed.sorted().joined(separator: ", "))")
        }
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw Problem.unprocessable("unknown field \(unknown.joined(separator: ", ")); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        if let path = JSONValue.object(object).pathOfNUL("body") {
            throw Problem.unprocessable("\(path) holds the character U+0000 (NUL), which cannot be stored; remove it",
                                        errors: [SubmissionError(path: path, message: "holds U+0000 (NUL)")])
        }
        return object
    }
}
