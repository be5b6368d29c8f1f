import Foundation

/// How a failed delivery is tried again: exponential back-off with jitter, a consumer's
/// `Retry-After` honoured, dead after `maxAttempts`.
public struct DeliveryBackOff: Sendable, Hashable {
    public var maxAttempts: Int
    /// The wait after the first failure, in seconds; it doubles with each further one.
    public var base: Double
    /// The longest wait, in seconds.
    public var cap: Double

    public init(maxAttempts: Int = 12, base: Double = 1, cap: Double = 3_600) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.cap = cap
    }

    /// The wait before the next attempt, after `attempts` failed ones: half the doubled wait
    /// fixed, half drawn at random (`random` in 0..<1), so that failures of many records at once
    /// do not come back at once; never shorter than the consumer's `Retry-After`.
    public func delay(afterAttempts attempts: Int, retryAfter: Double? = nil, random: Double) -> Double {
        let doubled = min(cap, base * pow(2, Double(max(attempts, 1) - 1)))
        let jittered = doubled / 2 + doubled / 2 * min(max(random, 0), 1)
        return max(jittered, min(retryAfter ?? 0, cap))
    }
}

/// What a consumer answered to one delivery.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Accepted; `note` says anything worth keeping (Odoo's action: created, updated, …).
    case delivered(note: String?)
    /// Failed for now (a timeout, 5xx, 429, a busy database): tried again later.
    case retry(error: String, retryAfter: Double?)
    /// Failed for good (Odoo refused the values, a 4xx): dead at once, for a person to fix and replay.
    case failed(error: String)
    /// The endpoint is gone (410): the consumer is disabled, and the delivery waits for it.
    case gone(error: String)

    /// The outcome's name, as a metric's label: delivered, retry, failed or gone.
    public var result: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "retry"
        case .failed: "failed"
        case .gone: "gone"
        }
    }

    /// The same outcome with its text passed through `rewrite` (a consumer's answer may quote a
    /// value it was sent: a sensitive one must not reach the delivery's last error or the log).
    public func text(_ rewrite: (String) -> String) -> DeliveryOutcome {
        switch self {
        case .delivered(let note): .delivered(note: note.map(rewrite))
        case .retry(let error, let after): .retry(error: rewrite(error), retryAfter: after)
        case .failed(let error): .failed(error: rewrite(error))
        case .gone(let error): .gone(error: rewrite(error))
        }
    }
}

extension SensitiveNames {
    /// `text` with every sensitive value of `event`'s record masked, wherever it is quoted.
    public func scrub(_ text: String, of event: ChangeEvent) -> String {
        guard let names = byEntity[event.data.entity] else { return text }
        var text = text
        for (name, sensitivity) in names {
            guard let value = event.data.attributes[name], !value.isNull else { continue }
            let clear = value.stringValue ?? CanonicalJSON.rfc8785(value)
            guard clear.count >= 4 else { continue }
            text = text.replacingOccurrences(of: clear, with: sensitivity.mask(clear))
        }
        return text
    }
}

/// Where a delivery stands.
public enum DeliveryState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for its turn (or for the version before it).
    case pending
    /// A worker holds it until its lease ends.
    case leased
    /// Failed; waits for its next attempt.
    case failed
    case delivered
    /// Not sent: a newer version of the record was delivered in its place.
    case skipped
    /// Given up; `aurum replay` sends it again.
    case dead

    public var isFinished: Bool { self == .delivered || self == .skipped || self == .dead }
}

/// One released version as consumers receive it: a CloudEvents 1.0 event (JSON format), its id
/// stable for the version (the same in the feed, in every webhook retry and in a replay).
public struct ChangeEvent: Sendable, Hashable, Codable {
    public var specversion = "1.0"
    public var id: String
    public var source = "aurum"
    public var type: String
    public var time: String
    public var subject: String
    public var datacontenttype = "application/json"
    /// The W3C trace the release was made in (CloudEvents' distributed-tracing extension), with
    /// a span of this event's own; nil for a release made outside a request.
    public var traceparent: String?
    public var data: Payload

    public struct Payload: Sendable, Hashable, Codable {
        public var entity: String
        public var id: Int64
        public var version: Int
        public var state: RecordState
        public var attributes: Attributes
        /// The change feed position of this version.
        public var position: Int64
        /// The record this one was merged into, when superseded.
        public var supersededBy: Int64?

        public init(entity: String, id: Int64, version: Int, state: RecordState, attributes: Attributes, position: Int64,
                    supersededBy: Int64? = nil) {
            self.entity = entity; self.id = id; self.version = version; self.state = state
            self.attributes = attributes; self.position = position; self.supersededBy = supersededBy
        }

        enum CodingKeys: String, CodingKey { case entity, id, version, state, attributes, position, supersededBy = "superseded_by" }
    }

    public init(_ data: Payload, releasedAt: String, traceID: String? = nil) {
        self.id = Self.id(entity: data.entity, record: data.id, version: data.version)
        self.traceparent = traceID.map { TraceContext(traceID: $0, spanID: "0000000000000001").child(named: Self.id(entity: data.entity, record: data.id, version: data.version)).traceparent }
        self.type = "aurum.\(data.entity).released"
        self.time = releasedAt
        self.subject = "\(data.entity)/\(data.id)"
        self.data = data
    }

    /// The event id of a version: `item-42-v3`.
    public static func id(entity: String, record: Int64, version: Int) -> String { "\(entity)-\(record)-v\(version)" }
}

extension ChangeEvent {
    /// The event as a JSON value, the same members its Codable form has, for the direct writer
    /// (the feed writes pages of a thousand events; the encoder's machinery is most of the cost).
    public var jsonValue: JSONValue {
        var payload: [String: JSONValue] = [
            "entity": .string(data.entity), "id": .number(Double(data.id)), "version": .number(Double(data.version)),
            "state": .string(data.state.rawValue), "attributes": .object(data.attributes), "position": .number(Double(data.position)),
        ]
        if let into = data.supersededBy { payload["superseded_by"] = .number(Double(into)) }
        var event: [String: JSONValue] = [
            "specversion": .string(specversion), "id": .string(id), "source": .string(source), "type": .string(type),
            "time": .string(time), "subject": .string(subject), "datacontenttype": .string(datacontenttype), "data": .object(payload),
        ]
        if let traceparent { event["traceparent"] = .string(traceparent) }
        return .object(event)
    }
}
