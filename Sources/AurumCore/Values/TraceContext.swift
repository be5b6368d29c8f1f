import Crypto

/// A W3C Trace Context (`traceparent: 00-<trace id>-<parent id>-<flags>`): taken from a request, or
/// started by Aurum, and carried from the request into the release it made and every delivery of
/// that release, so one change can be followed from ingest to Odoo.
public struct TraceContext: Sendable, Hashable {
    /// 32 lower-case hex digits, not all zero.
    public var traceID: String
    /// 16 lower-case hex digits, not all zero: the span this context names as parent.
    public var spanID: String
    public var sampled: Bool

    /// The context of the request or work in hand, if any.
    @TaskLocal public static var current: TraceContext?

    public init(traceID: String, spanID: String, sampled: Bool = true) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// Reads a `traceparent` header; nil for anything that is not a valid version-00 one (a
    /// request with a malformed header starts a trace of its own, as the specification says).
    public init?(traceparent: String) {
        let parts = traceparent.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", Self.isHex(parts[0]), parts[0] == "00" ? parts.count == 4 : true,
              parts[1].count == 32, Self.isHex(parts[1]), parts[1] != String(repeating: "0", count: 32),
              parts[2].count == 16, Self.isHex(parts[2]), parts[2] != String(repeating: "0", count: 16),
              parts[3].count == 2, Self.isHex(parts[3]), let flags = UInt8(parts[3], radix: 16) else { return nil }
        self.init(traceID: parts[1], spanID: parts[2], sampled: flags & 1 == 1)
    }

    /// A new trace, with random ids.
    public static func start() -> TraceContext {
        TraceContext(traceID: randomHex(16), spanID: randomHex(8))
    }

    /// The same trace with a new span of its own (what Aurum passes on).
    public func child() -> TraceContext { TraceContext(traceID: traceID, spanID: Self.randomHex(8), sampled: sampled) }

    /// The same trace with a span derived from `name` (a delivery's event id): the same for every
    /// retry of it.
    public func child(named name: String) -> TraceContext {
        let digest = SHA256.hash(data: Array(name.utf8))
        var span = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        if span == String(repeating: "0", count: 16) { span = "0000000000000001" }
        return TraceContext(traceID: traceID, spanID: span, sampled: sampled)
    }

    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    static func isHex(_ text: String) -> Bool { text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }

    static func randomHex(_ bytes: Int) -> String {
        var text = ""
        repeat {
            text = (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        } while text == String(repeating: "0", count: bytes * 2)
        return text
    }
}
