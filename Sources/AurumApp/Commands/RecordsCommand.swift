import ArgumentParser
import AurumCore
import Foundation

/// `aurum records search|export`: find golden records, and take them out as CSV or NDJSON.
struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records", abstract: "Find golden records, and export them as CSV or NDJSON.",
        discussion: """
            Both read GET /v1/records/ENTITY, within the token's entities; sensitive attributes are \
            masked unless the token sees them in clear (and only then may they be searched by).

            Examples:
              aurum records search item --query "hex bolt"
              aurum records search supplier --where country=DE --state active --changed-since 7d
              aurum records export item --format csv --output items.csv
            """,
        subcommands: [Search.self, Export.self])

    /// What to look for, shared by search and export.
    struct Filters: ParsableArguments {
        @Argument(help: "item, supplier, customer or warehouse.", completion: Completions.entities) var entity: String
        @Option(name: .long, help: ArgumentHelp("Words of the name, each a word or the start of one.", valueName: "words")) var query: String?
        @Option(name: .long, help: ArgumentHelp("An attribute equal to a value (repeat for more, all must hold).", valueName: "name=value"))
        var `where`: [String] = []
        @Option(help: "Only records in these states (active, blocked, obsolete, superseded; comma-separated).") var state: String?
        @Option(help: "Only records with a key of this source.", completion: Completions.sources) var source: String?
        @Option(name: .customLong("changed-since"), help: ArgumentHelp("Only records changed since: 7d, 12h, or an ISO 8601 time.", valueName: "when"))
        var changedSince: String?

        func validate() throws {
            for condition in `where` where !condition.contains("=") || condition.hasPrefix("=") {
                throw ValidationError("--where \(condition): give name=value, e.g. --where country=DE")
            }
        }

        /// The search's path with its query, from record id `after`, `limit` at a time.
        func path(after: Int64, limit: Int) -> String {
            var items = [URLQueryItem(name: "after", value: String(after)), URLQueryItem(name: "limit", value: String(limit))]
            if let query { items.append(URLQueryItem(name: "q", value: query)) }
            for condition in `where` {
                let parts = condition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                items.append(URLQueryItem(name: "attr." + parts[0], value: parts.count > 1 ? parts[1] : ""))
            }
            if let state { items.append(URLQueryItem(name: "state", value: state)) }
            if let source { items.append(URLQueryItem(name: "source", value: source)) }
            if let changedSince { items.append(URLQueryItem(name: "changed_since", value: changedSince)) }
            var components = URLComponents()
            components.path = "/v1/records/\(entity)"
            components.queryItems = items
            // `+` in a value is a space to the server's query parser: sent encoded.
            return (components.url?.absoluteString ?? components.path).replacingOccurrences(of: "+", with: "%2B")
        }
    }

    struct Page: Codable {
        var records: [RecordView]
        var nextAfter: Int64?
        enum CodingKeys: String, CodingKey { case records, nextAfter = "next_after" }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List golden records that match: id, state, version and their attributes; a page at a time.",
            discussion: """
                --quiet prints the ids alone, one a line. A full page ends with the --after value of the next.

                Examples:
                  aurum records search item --query "hex bol"
                  aurum records search supplier --where country=DE --where city=Stuttgart
                  aurum records search item --state blocked,obsolete --quiet
                """)

        @OptionGroup var filters: Filters
        @Option(help: "Records with ids above this one (the last id of the page before).") var after: Int64 = 0
        @Option(help: "At most this many (1 to 1000).") var limit = 50
        @OptionGroup var client: ClientOptions

        func validate() throws {
            guard (1...RecordQuery.maxLimit).contains(limit) else { throw ValidationError("--limit must be between 1 and \(RecordQuery.maxLimit)") }
            guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
        }

        func run() async throws {
            let api = try client.client()
            let page = try await calling { try await api.send(.GET, filters.path(after: after, limit: limit)).decode(Page.self) }
            if client.json { return print(JSONOutput.string(page)) }
            if client.quiet { return page.records.forEach { print(String($0.id)) } }
            guard !page.records.isEmpty else { return print("no \(filters.entity) records match") }
            var table = Table("ID", "STATE", "VERSION", "UPDATED", "ATTRIBUTES")
            for record in page.records {
                table.add(String(record.id), record.state.rawValue, String(record.version), record.updatedAt, AttributeText.inline(record.attributes))
            }
            print(table.render())
            if let next = page.nextAfter { print("more: --after \(next)") }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every matching golden record as CSV (a column per attribute) or NDJSON (the whole record).",
            discussion: """
                Pages through the search 1,000 records at a time. CSV has the columns id, state, version, \
                updated_at and then every attribute the rules define for the entity, in their order; values \
                that are lists or objects are written as JSON. Prints how many records were written to \
                standard error.

                Examples:
                  aurum records export item --format csv --output items.csv
                  aurum records export supplier --where country=DE --format ndjson > suppliers.ndjson
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, ndjson }

        @OptionGroup var filters: Filters
        @Option(help: "csv or ndjson.") var format: Format = .csv
        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?
        @OptionGroup var rulesOptions: RulesOptions
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let api = try client.client()
            // The columns come from the rules, so that every export of an entity has the same ones.
            let columns = format == .csv ? try loadRules(rulesOptions.rules).entities[filters.entity]?.attributes.map(\.name) ?? [] : []
            var out = ""
            var written = 0
            if format == .csv { out += CSVWriter.line(["id", "state", "version", "updated_at"] + columns) + "\n" }
            var after: Int64 = 0
            while true {
                let page = try await calling { try await api.send(.GET, filters.path(after: after, limit: RecordQuery.maxLimit)).decode(Page.self) }
                for record in page.records {
                    switch format {
                    case .ndjson: out += String(decoding: JSONOutput.data(record), as: UTF8.self) + "\n"
                    case .csv:
                        out += CSVWriter.line([String(record.id), record.state.rawValue, String(record.version), record.updatedAt]
                                              + columns.map { record.attributes[$0].map(Self.text) ?? "" }) + "\n"
                    }
                }
                written += page.records.count
                guard let next = page.nextAfter else { break }
                after = next
            }
            if let output {
                do { try out.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                    throw ValidationError("cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                print(out, terminator: "")
            }
            printError("\(written) \(filters.entity) records written" + (output.map { " to \($0)" } ?? ""))
        }

        static func text(_ value: JSONValue) -> String {
            switch value {
            case .string(let text): text
            case .null: ""
            case .array, .object: String(decoding: JSONOutput.data(value), as: UTF8.self)
            default: value.displayText
            }
        }
    }
}
