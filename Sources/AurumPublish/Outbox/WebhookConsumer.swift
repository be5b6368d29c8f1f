import AsyncHTTPClient
import AurumCore
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// A webhook endpoint as a consumer of the outbox: each version posted as a CloudEvents JSON
/// event, signed per Standard Webhooks 1.0 (`webhook-id` stable across retries,
/// `webhook-timestamp`, `webhook-signature`). 2xx is delivered; 5xx, 429 and timeouts are tried
/// again (its `Retry-After` honoured); 410 disables the endpoint; redirects are not followed and
/// other answers are dead, with the endpoint's status and the start of its answer.
public struct WebhookConsumer: DeliveryConsumer {
    public let endpoint: WebhookEndpoint
    let key: SymmetricKey
    public let registration: ConsumerRegistration
    public let batchSize: Int
    public var timeLimit: Double { endpoint.timeout }
    /// Deliveries sent at once (different records; a record's versions go one after the other).
    let concurrency: Int
    /// The sensitive values the endpoint is not entitled to, masked in its events.
    let masking: Masking?

    public init(endpoint: WebhookEndpoint, secret: String, masking: Masking? = nil, batchSize: Int = 20, concurrency: Int = 8) throws {
        self.endpoint = endpoint
        self.masking = masking.flatMap { $0.isEmpty ? nil : $0 }
        self.key = try StandardWebhooks.key(secret)
        self.registration = .webhook(endpoint)
        self.batchSize = batchSize
        self.concurrency = concurrency
    }

    /// No redirects: a webhook that answers with one is refused, not followed.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public func deliver(_ jobs: [DeliveryJob]) async -> [DeliveryOutcome] {
        await withTaskGroup(of: (Int, DeliveryOutcome).self) { group in
            var outcomes = [DeliveryOutcome?](repeating: nil, count: jobs.count)
            var next = 0
            func start() {
                guard next < jobs.count else { return }
                let index = next, job = jobs[index]
                next += 1
                group.addTask { (index, await send(job)) }
            }
            for _ in 0..<min(concurrency, jobs.count) { start() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                start()
            }
            return outcomes.map { $0 ?? .retry(error: "not sent", retryAfter: nil) }
        }
    }

    /// Posts one event.
    func send(_ job: DeliveryJob) async -> DeliveryOutcome {
        var body: Data
        do { body = try Self.encoder.encode(job.event) } catch { return .failed(error: "the event could not be written: \(error)") }
        if let masking, let event = try? JSONParser.parse(Array(body)) {
            body = Data(CanonicalJSON.direct(masking.apply(event)).utf8)
        }
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "aurum-webhooks")
        request.headers.add(name: "webhook-id", value: job.event.id)
        // The trace of the request that made the release (W3C Trace Context), to follow it on.
        if let traceparent = job.event.traceparent { request.headers.add(name: "traceparent", value: traceparent) }
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: StandardWebhooks.signature(id: job.event.id, timestamp: timestamp, body: body, key: key))
        request.body = .bytes(ByteBuffer(data: body))
        do {
            let response = try await Self.http.execute(request, timeout: .milliseconds(Int64(endpoint.timeout * 1000)))
            let answer = try await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            let text = String(buffer: answer).prefix(300)
            let said = "\(status) \(response.status.reasonPhrase)" + (text.isEmpty ? "" : ": \(text)")
            switch status {
            case 200..<300: return .delivered(note: "\(status)")
            case 410: return .gone(error: "\(said) (the endpoint is disabled)")
            case 429, 500..<600:
                return .retry(error: said, retryAfter: response.headers.first(name: "Retry-After").flatMap(Double.init))
            case 300..<400:
                return .failed(error: "\(said); redirects are not followed, give the endpoint's final URL in rules/consumers/webhooks.yaml")
            default: return .failed(error: said)
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .retry(error: "no answer within \(endpoint.timeout) s", retryAfter: nil)
        } catch {
            return .retry(error: "could not reach \(endpoint.url): \(error)", retryAfter: nil)
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
