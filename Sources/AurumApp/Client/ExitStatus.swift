import ArgumentParser

/// The one table of exit codes every command uses, printed by `aurum --help` and in the README.
enum ExitStatus {
    /// The server, the rules or the data refused: a candidate rejected, a rule problem, a 422.
    static let refused = ExitCode(1)
    /// No such change request, record or entity (404).
    static let notFound = ExitCode(3)
    /// The token may not do this (401, 403): four-eyes, a gate's group, an entity outside its scope.
    static let forbidden = ExitCode(4)
    /// The state changed (409): decided already, a stale revision, a gate waiting for another.
    static let conflict = ExitCode(5)
    /// Wrong usage: an unknown option or value (ArgumentParser's own code for a validation error).
    static let usage = ExitCode.validationFailure
    /// The server or the database cannot be reached, or what answered is not Aurum (503 too).
    static let unreachable = ExitCode(69)

    /// The exit code of a refusal with this HTTP status.
    static func of(httpStatus status: Int) -> ExitCode {
        switch status {
        case 404: notFound
        case 401, 403: forbidden
        case 409: conflict
        case 503: unreachable
        default: refused
        }
    }

    /// The table as `--help` prints it.
    static let help = "Exit codes: 0 done; 1 refused (rejected candidates, rule problems, a 422, a file that cannot be read, an audit chain not intact); "
        + "3 not found; 4 forbidden (four-eyes, a gate's group, outside the token's entities); 5 conflict (decided already, "
        + "stale revision, a gate waiting); 64 wrong usage; 69 server or database unreachable, or the port to serve on taken."
}
