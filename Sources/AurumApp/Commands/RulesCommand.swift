import ArgumentParser
import AurumRules

/// `aurum rules`: work with the rules directory.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Check the rules directory.",
        discussion: """
            Examples:
              aurum rules check
              aurum rules check /etc/aurum/rules --json
            """,
        subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a rules directory; prints file:line: message for every problem and exits 1 if there is one.",
            discussion: """
                A problem in an attribute's definition is said once, at its line; what names the \
                attribute elsewhere is not reported as well.

                Examples:
                  aurum rules check
                  aurum rules check rules --json
                """)

        @Argument(help: "The rules directory.") var directory = "rules"
        @Flag(help: "Print JSON: {\"ok\", \"version\", \"entities\", \"problems\": [{\"file\",\"line\",\"message\"}]}.") var json = false

        func run() async throws {
            let (rules, problems) = RulesLoader.check(directory: directory)
            if json {
                let report = RulesReport(ok: problems.isEmpty, version: rules?.version, entities: rules?.entities.keys.sorted() ?? [],
                                         problems: problems.map { .init(file: $0.file, line: $0.line, message: $0.message) })
                print(JSONOutput.string(report))
            } else if problems.isEmpty, let rules {
                print("\(directory): ok — \(counted(rules.entities.count, "entity", "entities")) (\(rules.entities.keys.sorted().joined(separator: ", "))), "
                      + counted(rules.sources.count, "source") + (rules.odoo.map { ", Odoo mapping for \(counted($0.entities.count, "entity", "entities"))" } ?? "")
                      + ", version \(rules.version)")
            } else {
                problems.forEach { print($0.description) }
                printError("\(counted(problems.count, "problem")) in \(directory)")
            }
            if !problems.isEmpty { throw ExitCode.failure }
        }
    }

    struct RulesReport: Encodable {
        struct Problem: Encodable { var file: String; var line: Int; var message: String }
        var ok: Bool
        var version: String?
        var entities: [String]
        var problems: [Problem]
    }
}
