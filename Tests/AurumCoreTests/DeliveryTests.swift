import AurumCore
import Foundation
import Testing

@Suite struct DeliveryTests {
    @Test func backOffDoublesWithJitterAndHonoursRetryAfter() {
        let policy = DeliveryBackOff(maxAttempts: 5, base: 2, cap: 60)
        #expect(policy.delay(afterAttempts: 1, random: 0) == 1 && policy.delay(afterAttempts: 1, random: 0.999_999) < 2)
        #expect(policy.delay(afterAttempts: 3, random: 0) == 4 && policy.delay(afterAttempts: 3, random: 1) == 8)
        #expect(policy.delay(afterAttempts: 20, random: 1) == 60, "capped")
        #expect(policy.delay(afterAttempts: 1, retryAfter: 30, random: 0) == 30, "Retry-After wins when longer")
        #expect(policy.delay(afterAttempts: 4, retryAfter: 1, random: 1) == 16, "and the back-off when it is longer")
        #expect(policy.delay(afterAttempts: 1, retryAfter: 10_000, random: 0) == 60, "a Retry-After past the cap is cut to it")
        let spread = Set((0..<50).map { policy.delay(afterAttempts: 4, random: Double($0) / 50) })
        #expect(spread.count == 50 && spread.allSatisfy { (8...16).contains($0) })
    }

    @Test func transitionsEndDeadAfterTheAttemptsOrAtOnceForAPermanentError() {
        let policy = DeliveryBackOff(maxAttempts: 3)
        #expect(DeliveryTransition.after(.delivered(note: nil), attempts: 1, policy: policy, random: 0).state == .delivered)
        let retry = DeliveryTransition.after(.retry(error: "503", retryAfter: 7), attempts: 1, policy: policy, random: 0)
        #expect(retry.state == .failed && retry.retryIn == 7 && retry.error == "503")
        let last = DeliveryTransition.after(.retry(error: "timeout", retryAfter: nil), attempts: 3, policy: policy, random: 0)
        #expect(last.state == .dead && last.error == "timeout (gave up after 3 attempts)")
        let permanent = DeliveryTransition.after(.failed(error: "ValidationError: unit"), attempts: 1, policy: policy, random: 0)
        #expect(permanent.state == .dead && permanent.error == "ValidationError: unit" && !permanent.disablesConsumer)
        #expect(DeliveryTransition.after(.gone(error: "410"), attempts: 1, policy: policy, random: 0).disablesConsumer)
    }

    @Test func anEventIsACloudEventWithAStableId() throws {
        let event = ChangeEvent(.init(entity: "item", id: 42, version: 3, state: .active, attributes: ["code": "B-1"], position: 17),
                                releasedAt: "2026-12-02T06:00:00.000Z")
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(event)).objectValue ?? [:]
        #expect(json["specversion"] == "1.0" && json["id"] == "item-42-v3" && json["source"] == "aurum")
        #expect(json["type"] == "aurum.item.released" && json["subject"] == "item/42" && json["datacontenttype"] == "application/json")
        #expect(json["time"] == "2026-12-02T06:00:00.000Z")
        let data = json["data"]?.objectValue ?? [:]
        #expect(data["entity"] == "item" && data["id"] == 42 && data["version"] == 3 && data["state"] == "active" && data["position"] == 17)
        #expect(data["attributes"] == ["code": "B-1"])
        #expect(ChangeEvent.id(entity: "item", record: 42, version: 3) == event.id)
    }

    @Test func theDirectFormOfAnEventIsItsCodableForm() throws {
        for into in [nil, 7] as [Int64?] {
            let event = ChangeEvent(.init(entity: "supplier", id: 3, version: 4, state: into == nil ? .blocked : .superseded,
                                          attributes: ["name": "Acme \"GmbH\"", "weight": 0.5, "tags": ["a", "b"], "none": .null],
                                          position: 99, supersededBy: into), releasedAt: "2026-12-02T06:00:00.000Z")
            let codable = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(event))
            #expect(event.jsonValue == codable)
            let direct = try JSONParser.parse(Array(CanonicalJSON.direct(event.jsonValue).utf8))
            #expect(direct == codable)
        }
        let page = ChangePage(items: [], nextCursor: 5, hasMore: false)
        #expect(page.jsonValue == (try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(page))))
    }
}
