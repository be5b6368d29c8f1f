import AurumCore

/// Odoo as a consumer of the outbox: each record's latest version upserted by external id
/// through `OdooPublisher`, a claim's records in one pass (creates batched). A transient Odoo
/// error is tried again later; a permanent one is dead with Odoo's exception class and message.
public struct OdooConsumer: DeliveryConsumer {
    let publisher: OdooPublisher
    public let registration: ConsumerRegistration
    public let batchSize: Int

    public init(publisher: OdooPublisher, batchSize: Int = 100) {
        self.publisher = publisher
        self.registration = .odoo(publisher.mapping)
        self.batchSize = batchSize
    }

    /// The longest one call to Odoo may take; the outbox's lease is longer still.
    public var timeLimit: Double { Double(publisher.client.settings.timeout.nanoseconds) / 1e9 }

    public func deliver(_ jobs: [DeliveryJob]) async -> [DeliveryOutcome] {
        let records = jobs.map { job in
            let d = job.event.data
            return RecordView(id: d.id, entity: d.entity, version: d.version, state: d.state, attributes: d.attributes, sources: [],
                              updatedAt: job.event.time, supersededBy: d.supersededBy)
        }
        let outcomes = await publisher.publish(records, batchSize: batchSize)
        return zip(jobs, outcomes).map { _, outcome in
            guard outcome.action == .failed else {
                let fields = outcome.changedFields.isEmpty ? "" : " (\(outcome.changedFields.joined(separator: ", ")))"
                return .delivered(note: "\(outcome.action.rawValue)\(fields)" + outcome.notes.map { "; \($0)" }.joined())
            }
            let message = [outcome.failureKind, outcome.failure].compactMap { $0 }.joined(separator: ": ")
            return outcome.transient == true ? .retry(error: message, retryAfter: nil) : .failed(error: message)
        }
    }
}
