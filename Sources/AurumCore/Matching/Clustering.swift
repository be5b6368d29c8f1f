/// Groups linked records into clusters, strongest links first, and refuses any merge that would
/// put two records that score `distinct` (or are vetoed) against each other in one cluster, so a
/// chain of weak links cannot join two different things.
public enum Clustering {
    /// Pairs across two clusters that are checked before merging them; beyond this, only an
    /// `auto_link` joins two clusters.
    public static let maxCrossChecks = 2_500

    /// Clusters of two or more records (indexes), each sorted, largest first.
    public static func clusters(_ links: [ScoredPair], records: [MatchRecord], scorer: MatchScorer) -> [[Int]] {
        var clusterOf = [Int: Int]()        // record → cluster id
        var members = [Int: [Int]]()        // cluster id → records
        var nextID = 0
        for link in links.sorted(by: { $0.weight > $1.weight }) where link.band != .distinct {
            let a = clusterOf[link.a] ?? { defer { nextID += 1 }; clusterOf[link.a] = nextID; members[nextID] = [link.a]; return nextID }()
            let b = clusterOf[link.b] ?? { defer { nextID += 1 }; clusterOf[link.b] = nextID; members[nextID] = [link.b]; return nextID }()
            guard a != b else { continue }
            let left = members[a]!, right = members[b]!
            guard mayMerge(left, right, link: link, records: records, scorer: scorer) else { continue }
            let (keep, drop) = left.count >= right.count ? (a, b) : (b, a)
            for record in members[drop]! { clusterOf[record] = keep }
            members[keep]! += members.removeValue(forKey: drop)!
        }
        return members.values.filter { $0.count > 1 }.map { $0.sorted() }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
    }

    static func mayMerge(_ left: [Int], _ right: [Int], link: ScoredPair, records: [MatchRecord], scorer: MatchScorer) -> Bool {
        guard left.count * right.count <= maxCrossChecks else { return link.band == .autoLink }
        for x in left {
            for y in right where !(x == link.a && y == link.b) && !(x == link.b && y == link.a) {
                if scorer.score(records, x, y).band == .distinct { return false }
            }
        }
        return true
    }
}
