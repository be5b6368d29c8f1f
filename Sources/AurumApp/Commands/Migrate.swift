import ArgumentParser
import AurumStore

/// `aurum migrate`: applies pending migrations.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (aurum serve also does this at start).",
        discussion: """
            Examples:
              aurum migrate
              DATABASE_URL=postgres://aurum@db:5432/aurum aurum migrate
            """)

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = makeLogger("aurum.migrate")
        let migrator = try database.migrator()
        let applied = try await database.access.withSettings(logger: logger) { settings in
            try await migrator.migrate(settings: settings, logger: logger)
        }
        print(applied.isEmpty ? "up to date (\(counted(migrator.migrations.count, "migration")))" : applied.map { "applied \($0)" }.joined(separator: "\n"))
    }
}
