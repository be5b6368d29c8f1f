/// What a candidate was scored against in the flow: a golden record, or an open proposal to
/// create one (a candidate of another source, or of the same batch, not released yet).
public enum MatchTarget: Sendable, Hashable {
    case record(Int64)
    case changeRequest(Int64)

    public var recordID: Int64? { if case .record(let id) = self { id } else { nil } }
    public var changeRequestID: Int64? { if case .changeRequest(let id) = self { id } else { nil } }
}

/// One pair at or above review: the record or proposal, the weight and its explanation.
public struct PossibleDuplicate: Sendable, Hashable, Codable {
    public var recordID: Int64?
    public var changeRequestID: Int64?
    public var score: Double
    public var band: MatchBand
    public var explanation: JSONValue
    /// How a steward settled it: `linked` or `distinct`; nil while open.
    public var resolution: String?

    public init(target: MatchTarget, score: Double, band: MatchBand, explanation: JSONValue, resolution: String? = nil) {
        self.recordID = target.recordID
        self.changeRequestID = target.changeRequestID
        self.score = score
        self.band = band
        self.explanation = explanation
        self.resolution = resolution
    }

    public var target: MatchTarget { recordID.map(MatchTarget.record) ?? .changeRequest(changeRequestID ?? 0) }

    enum CodingKeys: String, CodingKey {
        case recordID = "record_id", changeRequestID = "change_request_id", score, band, explanation, resolution
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(recordID, forKey: .recordID)
        try c.encode(changeRequestID, forKey: .changeRequestID)
        try c.encode(score, forKey: .score)
        try c.encode(band, forKey: .band)
        try c.encode(explanation, forKey: .explanation)
        try c.encode(resolution, forKey: .resolution)
    }
}

/// What matching decided for a candidate: its band, the record it links to (auto_link) and the
/// pairs a steward should see.
public struct FlowMatch: Sendable, Hashable, Codable {
    public var band: MatchBand
    /// The golden record of an automatic link, or the strongest possible duplicate under review.
    public var recordID: Int64?
    public var score: Double?
    public var explanation: JSONValue?
    public var possibleDuplicates: [PossibleDuplicate]

    public init(band: MatchBand, recordID: Int64? = nil, score: Double? = nil, explanation: JSONValue? = nil,
                possibleDuplicates: [PossibleDuplicate] = []) {
        self.band = band
        self.recordID = recordID
        self.score = score
        self.explanation = explanation
        self.possibleDuplicates = possibleDuplicates
    }

    /// Nothing was close: a new record.
    public static let none = FlowMatch(band: .distinct)

    enum CodingKeys: String, CodingKey {
        case band, recordID = "record_id", score, explanation, possibleDuplicates = "possible_duplicates"
    }

    /// Reads both forms: the stored one, and an ingest result's summary (without the duplicates).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        band = try c.decode(MatchBand.self, forKey: .band)
        recordID = try c.decodeIfPresent(Int64.self, forKey: .recordID)
        score = try c.decodeIfPresent(Double.self, forKey: .score)
        explanation = try c.decodeIfPresent(JSONValue.self, forKey: .explanation)
        possibleDuplicates = try c.decodeIfPresent([PossibleDuplicate].self, forKey: .possibleDuplicates) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(band, forKey: .band)
        try c.encode(recordID, forKey: .recordID)
        try c.encode(score, forKey: .score)
        try c.encode(explanation, forKey: .explanation)
        try c.encode(possibleDuplicates, forKey: .possibleDuplicates)
    }
}

/// Matching a candidate against the golden records and open proposals that share a blocking
/// key with it, with the entity's `match:` rules: the engine `aurum dedupe` runs on files.
public enum FlowMatching {
    /// Scores `candidate` against each target, leaving out those a steward declared distinct, and
    /// decides the band:
    /// - `auto_link` when the strongest pair is a golden record at or above `auto_link` and no
    ///   other golden record is (two records that both match are a merge for a steward to decide);
    /// - `review` when any pair reaches review (a proposal not released yet is never linked to);
    /// - `distinct` otherwise.
    public static func match(_ candidate: Attributes, against targets: [(target: MatchTarget, attributes: Attributes)],
                             rules: MatchRules, scorer: MatchScorer? = nil, distinct: Set<MatchTarget> = []) -> FlowMatch {
        match(MatchRecord(id: "candidate", attributes: candidate, rules: rules), against: targets, rules: rules, scorer: scorer, distinct: distinct)
    }

    /// The same, for a candidate already prepared (its keys were looked up with it).
    public static func match(_ record: MatchRecord, against targets: [(target: MatchTarget, attributes: Attributes)],
                             rules: MatchRules, scorer: MatchScorer? = nil, distinct: Set<MatchTarget> = []) -> FlowMatch {
        match(record, prepared: targets.map { ($0.target, MatchRecord(id: "", attributes: $0.attributes, rules: rules)) },
              rules: rules, scorer: scorer, distinct: distinct)
    }

    /// The same, for targets already prepared: a batch prepares each record it meets once,
    /// however many of its candidates share a key with it.
    public static func match(_ record: MatchRecord, prepared targets: [(target: MatchTarget, record: MatchRecord)],
                             rules: MatchRules, scorer: MatchScorer? = nil, distinct: Set<MatchTarget> = []) -> FlowMatch {
        let scorer = scorer ?? MatchScorer(rules: rules)
        var found = [PossibleDuplicate]()
        for (index, target) in targets.enumerated() where !distinct.contains(target.target) {
            guard scorer.reaches(record, target.record, rules.reviewThreshold) else { continue }
            let pair = scorer.score(record, target.record, a: -1, b: index)
            if pair.band != .distinct {
                found.append(PossibleDuplicate(target: target.target, score: pair.weight, band: pair.band, explanation: MatchExplanation.json(pair)))
            }
        }
        return decide(found)
    }

    /// What two scorings of one candidate say together (against the stored records and against
    /// the creates before it in its batch), as if it had been scored against all at once.
    public static func combine(_ first: FlowMatch, _ second: FlowMatch) -> FlowMatch {
        var found = first.possibleDuplicates
        if first.band == .autoLink, let record = first.recordID, let score = first.score, let explanation = first.explanation {
            found = [PossibleDuplicate(target: .record(record), score: score, band: .autoLink, explanation: explanation)]
        }
        return decide(found + second.possibleDuplicates)
    }

    /// The band from every pair at or above review, strongest first (ties in the order found).
    static func decide(_ found: [PossibleDuplicate]) -> FlowMatch {
        let duplicates = found.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
            .map(\.element)
        guard let best = duplicates.first else { return .none }
        let linkedRecords = duplicates.filter { $0.band == .autoLink && $0.recordID != nil }
        let band: MatchBand = linkedRecords.count == 1 && best.band == .autoLink && best.recordID != nil ? .autoLink : .review
        return FlowMatch(band: band, recordID: best.recordID, score: best.score, explanation: best.explanation,
                         possibleDuplicates: band == .autoLink ? [] : duplicates)
    }
}

extension MatchExplanation {
    /// A pair's explanation as stored and served: the line in words, the veto, and each
    /// comparison's values, level, similarity and weight.
    public static func json(_ pair: ScoredPair) -> JSONValue {
        func rounded(_ value: Double, _ digits: Double) -> JSONValue {
            let scale = digits == 3 ? 1000.0 : 10000.0
            return .number((value * scale).rounded() / scale)
        }
        return .object([
            "text": .string(line(pair)),
            "weight": rounded(pair.weight, 3),
            "prior_weight": rounded(pair.priorWeight, 3),
            "probability": pair.probability.map { rounded($0, 4) } ?? .null,
            "vetoed_by": pair.vetoedBy.map(JSONValue.string) ?? .null,
            "comparisons": .array(pair.contributions.map { c in
                .object(["attribute": .string(c.attribute), "a": c.left.map(JSONValue.string) ?? .null,
                         "b": c.right.map(JSONValue.string) ?? .null, "method": .string(c.method.rawValue),
                         "level": .string(c.level), "similarity": c.similarity.map { rounded($0, 4) } ?? .null,
                         "weight": rounded(c.weight, 3)])
            }),
        ])
    }
}
