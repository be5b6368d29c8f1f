import AurumCore
import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that HTTP itself cannot parse (a garbled request line, a Content-Length that
/// is not a number, headers over the limit) with a problem+json 400, as every other error is
/// answered, instead of the server's bare 400; then closes the connection.
///
/// It sits after the HTTP decoder. Errors in a request whose head was already read (a body cut
/// short, a malformed chunk) travel on to the route reading the body, which answers them itself.
final class MalformedHTTP: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Whether a request head has arrived whose response has not ended yet.
    private var requestInFlight = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestInFlight = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { requestInFlight = false }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !requestInFlight else {
            return context.fireErrorCaught(error)
        }
        let body = ByteBuffer(data: CanonicalJSON.data(Self.problem(parserError)))
        let head = HTTPResponse(status: .badRequest, headerFields: [
            .contentType: "application/problem+json", .contentLength: String(body.readableBytes), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    static func problem(_ error: HTTPParserError) -> JSONValue {
        let id = UUID().uuidString.lowercased()
        return ["type": "/problems/malformed-request", "title": "The request cannot be read", "status": 400,
                "detail": .string(describe(error)), "request_id": .string(id)]
    }

    /// What is wrong with the request, in HTTP's terms.
    static func describe(_ error: HTTPParserError) -> String {
        let what = switch error {
        case .invalidEOFState, .closedConnection: "the connection ended before the body its Content-Length or chunked encoding announced"
        case .invalidChunkSize: "a chunk size in the chunked body is not a valid hexadecimal number (or is too large)"
        case .invalidContentLength, .unexpectedContentLength: "the Content-Length header is not a single non-negative number, or does not fit the message"
        case .headerOverflow: "the request's headers are larger than the server accepts"
        case .invalidMethod: "the request line does not start with an HTTP method"
        case .invalidVersion: "the request line does not end with a supported HTTP version (HTTP/1.1)"
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort: "the request target is not a valid URL path"
        case .invalidHeaderToken, .invalidCharactersUsed, .lfExpected, .invalidConstant: "the request's header lines are malformed"
        case .trailingGarbage: "bytes follow the end of the message"
        default: "the request is not valid HTTP/1.1 (\(error))"
        }
        return what + "; nothing was read. Send a well-formed HTTP/1.1 request"
    }
}
