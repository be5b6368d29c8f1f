import AurumCore

/// The status page's HTML, written out here (no template engine, no JavaScript). Every value from
/// the database goes through `escape`. Each count carries `data-field` (and its row `data-entity`,
/// `data-gate` or `data-consumer`), named as in `aurum status --json`, so that a script or a test
/// can read the page as reliably as a person does.
enum StatusPageHTML {
    static func signInForm(message: String?) -> String {
        page(title: "Aurum status: sign in", refresh: false, body: """
            <main class="sign-in">
            <h1>Aurum status</h1>
            <form method="post" action="/status/sign-in">
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form>
            \(message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            <p class="hint">A steward's or admin's token (<code>aurum token create</code>). The browser keeps a session, not the token.</p>
            </main>
            """)
    }

    static func board(_ board: StatusBoard, caller: Principal) -> String {
        var html = """
            <header>
            <h1>Aurum status</h1>
            <p>Signed in as <strong>\(escape(caller.name))</strong> (\(escape(caller.role.rawValue))) · as of <time datetime="\(escape(board.generatedAt))">\(escape(shown(board.generatedAt)))</time> · refreshes every 30 s</p>
            <form method="post" action="/status/sign-out"><button type="submit">Sign out</button></form>
            </header>
            <main>
            <section>
            <h2>By entity</h2>
            <table>
            <thead><tr><th scope="col">Entity</th><th scope="col">Open change requests</th><th scope="col">under 1 day</th><th scope="col">1–7 days</th><th scope="col">over 7 days</th><th scope="col">Possible duplicates</th><th scope="col">Blocked records</th><th scope="col">Obsolete records</th><th scope="col">Rejected (24 h)</th><th scope="col">To deliver</th><th scope="col">Dead deliveries</th></tr></thead>
            <tbody>

            """
        for e in board.entities {
            html += "<tr data-entity=\"\(escape(e.entity))\"><th scope=\"row\">\(escape(e.entity))</th>"
            html += cells([("open", e.open.total), ("open.under_1d", e.open.underOneDay), ("open.1d_to_7d", e.open.oneToSevenDays),
                           ("open.over_7d", e.open.overSevenDays), ("possible_duplicates", e.possibleDuplicates), ("blocked", e.blocked),
                           ("obsolete", e.obsolete), ("rejected_last_24h", e.rejectedLast24h), ("deliveries_pending", e.deliveriesPending),
                           ("deliveries_dead", e.deliveriesDead)])
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n</section>\n"
        let gated = board.entities.filter { !$0.gates.isEmpty }
        html += "<section>\n<h2>Open change requests by gate</h2>\n"
        if gated.isEmpty {
            html += "<p class=\"empty\">No change request waits at a gate.</p>\n"
        } else {
            html += """
                <table>
                <thead><tr><th scope="col">Entity</th><th scope="col">Gate</th><th scope="col">Waiting for approval</th><th scope="col">under 1 day</th><th scope="col">1–7 days</th><th scope="col">over 7 days</th><th scope="col">Behind an earlier gate</th></tr></thead>
                <tbody>

                """
            for e in gated {
                for g in e.gates {
                    html += "<tr data-entity=\"\(escape(e.entity))\" data-gate=\"\(escape(g.gate))\"><td>\(escape(e.entity))</td><th scope=\"row\">\(escape(g.gate))</th>"
                    html += cells([("pending", g.pending.total), ("pending.under_1d", g.pending.underOneDay), ("pending.1d_to_7d", g.pending.oneToSevenDays),
                                   ("pending.over_7d", g.pending.overSevenDays), ("waiting", g.waiting)])
                    html += "</tr>\n"
                }
            }
            html += "</tbody>\n</table>\n"
        }
        html += "</section>\n<section>\n<h2>Deliveries by consumer</h2>\n"
        if board.consumers.isEmpty {
            html += "<p class=\"empty\">No consumer is declared for these entities.</p>\n"
        } else {
            html += """
                <table>
                <thead><tr><th scope="col">Consumer</th><th scope="col">To deliver</th><th scope="col">Dead</th><th scope="col">Oldest waiting since</th><th scope="col">Latest error</th></tr></thead>
                <tbody>

                """
            for c in board.consumers {
                html += "<tr data-consumer=\"\(escape(c.consumer))\"\(c.lastError == nil ? "" : " class=\"failing\"")><th scope=\"row\">\(escape(c.consumer))</th>"
                html += cells([("pending", c.pending), ("dead", c.dead)])
                html += "<td data-field=\"oldest_pending_at\">\(escape(c.oldestPendingAt.map(shown) ?? "–"))</td>"
                html += "<td data-field=\"last_error\" class=\"text\">\(escape(c.lastError ?? "–"))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
        }
        html += """
            </section>
            <section>
            <h2>Change feed</h2>
            <p>Newest position <strong data-field="feed_position">\(board.feedPosition)</strong></p>
            </section>
            </main>
            """
        return page(title: "Aurum status", refresh: true, body: html)
    }

    static func cells(_ counts: [(String, Int)]) -> String {
        counts.map { field, count in "<td data-field=\"\(field)\"\(count > 0 && isAlarm(field) ? " class=\"alarm\"" : "")>\(count)</td>" }.joined()
    }

    /// Counts a person should act on when they are not zero.
    static func isAlarm(_ field: String) -> Bool {
        field.hasSuffix("over_7d") || field == "blocked" || field == "deliveries_dead" || field == "dead"
    }

    /// `2026-12-06T08:12:13.456Z` as `2026-12-06 08:12:13 UTC`.
    static func shown(_ time: String) -> String {
        guard time.count >= 19 else { return time }
        return String(time.prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    static func page(title: String, refresh: Bool, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        \(refresh ? "<meta http-equiv=\"refresh\" content=\"30\">\n" : "")<title>\(escape(title))</title>
        <link rel="stylesheet" href="/status/style.css">
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// Text made safe for HTML content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let css = """
        body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; background: #fafaf7; }
        h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
        header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .2rem 1.2rem; border-bottom: 2px solid #b8860b; padding-bottom: .5rem; }
        header p { margin: 0; color: #555; }
        table { border-collapse: collapse; background: #fff; }
        th, td { border: 1px solid #ddd; padding: .25rem .6rem; }
        thead th { background: #f1ede0; font-weight: 600; font-size: .85rem; text-align: left; }
        td { text-align: right; font-variant-numeric: tabular-nums; }
        td.text { text-align: left; max-width: 40rem; overflow-wrap: anywhere; }
        td.alarm { background: #fde8e6; color: #9b1c12; font-weight: 600; }
        tr.failing th { color: #9b1c12; }
        .empty, .hint { color: #666; }
        .sign-in { max-width: 24rem; margin: 4rem auto; }
        .sign-in form { display: grid; gap: .5rem; margin-top: 1rem; }
        .sign-in input { font: inherit; padding: .4rem; }
        button { font: inherit; padding: .3rem .9rem; }
        .error { color: #9b1c12; font-weight: 600; }
        """
}
