import Foundation

/// Where the import of one entity from Odoo stands (`aurum odoo import`): the `write_date`
/// watermark the next pass reads from, and while a pass runs, the last Odoo id it finished.
///
/// A pass reads the records written at or after the watermark, in id order, a page at a time;
/// each page's last id is committed with what the page brought in, so a pass interrupted anywhere
/// resumes after the last page it finished and reads no record twice. When the pass ends, the
/// watermark moves to the latest `write_date` it read, but never past the moment the pass began
/// less `clockMargin`: a record written while the pass ran, after its id was passed, is read by
/// the next pass (Aurum's and Odoo's clocks must agree within that margin).
public struct OdooImportCursor: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        /// The first import into a store that holds no record of the entity: golden records in bulk.
        case first
        /// Every later one: candidates through the ingest flow.
        case incremental
    }

    public var entity: String
    public var model: String
    public var mode: Mode
    /// Odoo's `write_date` (`YYYY-MM-DD HH:MM:SS`, UTC) the next pass reads from; nil: everything.
    public var watermark: String?
    public var running: Bool
    /// When the running pass began (Aurum's clock, in Odoo's form).
    public var passStarted: String?
    /// The latest `write_date` the running pass has read.
    public var passMax: String?
    /// The running pass's last finished Odoo id (0 before its first page).
    public var lastID: Int
    /// Passes finished.
    public var passes: Int

    /// How far Odoo's clock may run behind Aurum's without a record being missed.
    public static let clockMargin = 60

    public init(entity: String, model: String, mode: Mode, watermark: String? = nil, running: Bool = false, passStarted: String? = nil,
                passMax: String? = nil, lastID: Int = 0, passes: Int = 0) {
        self.entity = entity
        self.model = model
        self.mode = mode
        self.watermark = watermark
        self.running = running
        self.passStarted = passStarted
        self.passMax = passMax
        self.lastID = lastID
        self.passes = passes
    }

    /// A cursor for an entity never imported: the first mode when the store holds none of its records.
    public static func fresh(entity: String, model: String, storeIsEmpty: Bool) -> OdooImportCursor {
        OdooImportCursor(entity: entity, model: model, mode: storeIsEmpty ? .first : .incremental)
    }

    /// The pass to run at `now` (Odoo's form): a running one resumes where it stopped, else a new
    /// one starts from the watermark.
    public func begun(at now: String) -> OdooImportCursor {
        guard !running else { return self }
        var next = self
        next.running = true
        next.passStarted = now
        next.passMax = nil
        next.lastID = 0
        return next
    }

    /// The domain a pass reads: `base` (the entity's own, e.g. suppliers by rank) and, after a
    /// first pass, the records written since the watermark.
    public func domain(_ base: [JSONValue]) -> [JSONValue] {
        guard let watermark else { return base }
        return base + [.array([.string("write_date"), .string(">="), .string(watermark)])]
    }

    /// After a page whose last id is `lastID` and whose records were written at `writeDates`.
    public func advanced(to lastID: Int, writeDates: [String]) -> OdooImportCursor {
        var next = self
        next.lastID = max(self.lastID, lastID)
        if let latest = writeDates.max(), latest > (passMax ?? "") { next.passMax = latest }
        return next
    }

    /// The pass finished: the watermark moves on (see the type's note), the next pass is incremental.
    public func finished() -> OdooImportCursor {
        var next = self
        var mark = passMax ?? watermark
        if let started = passStarted.flatMap({ Self.moved($0, seconds: -Self.clockMargin) }), let read = mark, started < read { mark = started }
        next.watermark = mark
        next.running = false
        next.passStarted = nil
        next.passMax = nil
        next.lastID = 0
        next.passes += 1
        next.mode = .incremental
        return next
    }

    /// `instant` in Odoo's form moved by `seconds`; nil when it is not in that form.
    public static func moved(_ instant: String, seconds: Int) -> String? {
        guard let date = OdooInstant.date(instant) else { return nil }
        return OdooInstant.text(date.addingTimeInterval(Double(seconds)))
    }
}

/// Odoo's datetimes on the wire: `YYYY-MM-DD HH:MM:SS`, UTC, as `write_date` reads.
public enum OdooInstant {
    static func style() -> Date.VerbatimFormatStyle {
        Date.VerbatimFormatStyle(format: "\(year: .padded(4))-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits)",
                                 timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian))
    }

    /// The date of an instant in Odoo's form; nil for anything else.
    public static func date(_ text: String) -> Date? {
        guard text.utf8.count == 19 else { return nil }
        return try? Date(text, strategy: style().parseStrategy)
    }

    /// `date` in Odoo's form.
    public static func text(_ date: Date) -> String { date.formatted(style()) }
}
