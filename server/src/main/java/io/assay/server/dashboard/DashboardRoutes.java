package io.assay.server.dashboard;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.server.alerts.AlertRoutes;
import io.assay.server.api.ApiException;
import io.assay.server.auth.Tokens;
import io.assay.server.fleet.FleetRoutes;
import io.assay.server.fleet.Scope;
import io.assay.server.http.ApiRequest;
import io.assay.server.http.ApiResponse;
import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.ipcheck.IpChecks;
import io.assay.server.ipcheck.IpQuery;
import io.assay.server.report.ComplianceReport;
import io.assay.server.report.ComplianceReports;
import io.assay.server.report.ReportFormat;
import io.assay.server.store.AlertTables.Alert;
import io.assay.server.store.ChainBreak;
import io.assay.server.store.FleetTables;
import io.assay.server.store.FleetTables.Membership;
import io.assay.server.store.FleetTables.Pledge;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Store;
import io.assay.server.store.TokenRecord;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * The web dashboard: server-rendered HTML (no script, nothing fetched from the internet), in
 * English or Chinese (the browser's {@code Accept-Language}, overridden by the switch, kept in a
 * cookie). Login takes a token (admin, operator or auditor) and keeps it in an HttpOnly,
 * SameSite=Strict cookie scoped to {@code /dashboard}; every page checks it again and shows only
 * what the token's {@link Scope} reaches. Without it every page redirects to the login page.
 */
public final class DashboardRoutes implements RouteModule {
    static final String COOKIE = "assay_session";
    static final String LANG_COOKIE = "assay_lang";
    private static final int TIMELINE = 60;

    private final Store store;
    private final ComplianceReports reports;
    private final IpChecks ipChecks;
    private final Clock clock;

    public DashboardRoutes(Store store, ComplianceReports reports, IpChecks ipChecks, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.reports = requireNonNull(reports, "reports");
        this.ipChecks = requireNonNull(ipChecks, "ipChecks");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public List<Route> routes() {
        // No roles: the dashboard authenticates by its cookie itself (browsers do not send bearer headers).
        return List.of(
                Route.get("/dashboard", Set.of(), r -> page(r, this::fleet)),
                Route.get("/dashboard/login", Set.of(), r -> loginPage(r, false)),
                Route.post("/dashboard/login", Set.of(), this::login),
                Route.post("/dashboard/logout", Set.of(), r -> redirect("/dashboard/login", cookie(COOKIE, "", 0))),
                Route.get("/dashboard/hosts/{id}", Set.of(), r -> page(r, this::host)),
                Route.get("/dashboard/findings", Set.of(), r -> page(r, this::findings)),
                Route.post("/dashboard/alerts/{id}/ack", Set.of(), this::acknowledge),
                Route.get("/dashboard/pledges", Set.of(), r -> page(r, this::pledges)),
                Route.get("/dashboard/pledges/{id}/report", Set.of(), this::pledgeReport),
                Route.get("/dashboard/ip-check", Set.of(), r -> page(r, (v, s) -> ipCheckForm(v, "", ""))),
                Route.post("/dashboard/ip-check", Set.of(), r -> page(r, this::ipCheck)));
    }

    /** Who is looking, in which language. */
    record Viewer(ApiRequest request, TokenRecord token, Scope scope, boolean zh) {
        String t(String key) {
            return Messages.get(key, zh);
        }
    }

    @FunctionalInterface
    private interface Page {
        String render(Viewer v, Scope scope);
    }

    private ApiResponse page(ApiRequest r, Page page) {
        Optional<Viewer> v = viewer(r);
        if (v.isEmpty()) return redirect("/dashboard/login", Optional.empty());
        ApiResponse res = html(200, layout(v.get(), page.render(v.get(), v.get().scope())));
        return r.queryParam("lang").map(l -> res.withHeader("Set-Cookie", cookie(LANG_COOKIE, l.equals("zh") ? "zh" : "en",
                365 * 86400).orElseThrow())).orElse(res);
    }

    private Optional<Viewer> viewer(ApiRequest r) {
        Map<String, String> cookies = cookies(r);
        String token = cookies.get(COOKIE);
        if (token == null || token.isEmpty()) return Optional.empty();
        Optional<TokenRecord> rec = store.read(tx -> tx.findToken(Tokens.hash(token)));
        if (rec.isEmpty() || !FleetRoutes.READERS.contains(rec.get().role())) return Optional.empty();
        Scope scope = store.read(tx -> Scope.of(rec.get(), tx.fleet()));
        return Optional.of(new Viewer(r, rec.get(), scope, zh(r, cookies)));
    }

    private static boolean zh(ApiRequest r, Map<String, String> cookies) {
        Optional<String> lang = r.queryParam("lang").or(() -> Optional.ofNullable(cookies.get(LANG_COOKIE)));
        if (lang.isPresent()) return lang.get().equals("zh");
        return r.header("accept-language").map(a -> a.trim().toLowerCase(java.util.Locale.ROOT).startsWith("zh"))
                .orElse(false);
    }

    // --- login ---

    private ApiResponse loginPage(ApiRequest r, boolean failed) {
        boolean zh = zh(r, cookies(r));
        String body = "<h1>" + esc(Messages.get("title", zh)) + "</h1>"
                + (failed ? "<p class=bad id=login-error>" + esc(Messages.get("login.bad", zh)) + "</p>" : "")
                + "<form method=post action=/dashboard/login><label>" + esc(Messages.get("token", zh))
                + " <input type=password name=token id=token autocomplete=off size=60></label> "
                + "<button type=submit id=login>" + esc(Messages.get("login", zh)) + "</button></form>"
                + langSwitch("/dashboard/login", zh);
        return html(failed ? 401 : 200, document(zh, body));
    }

    private ApiResponse login(ApiRequest r) {
        String token = form(r).getOrDefault("token", "").trim();
        Optional<TokenRecord> rec = token.isEmpty() ? Optional.empty() : store.read(tx -> tx.findToken(Tokens.hash(token)));
        if (rec.isEmpty() || !FleetRoutes.READERS.contains(rec.get().role())) return loginPage(r, true);
        return redirect("/dashboard", cookie(COOKIE, token, 8 * 3600));
    }

    // --- pages ---

    /** Hosts one fleet page lists by default ({@code ?limit=} 1..1000; a next-page link leads on); the counts cover them all. */
    static final int FLEET_PAGE_ROWS = 200;

    private String fleet(Viewer v, Scope scope) {
        Optional<String> group = v.request().queryParam("group").filter(g -> !g.isEmpty());
        String after = v.request().queryParam("after").orElse("");
        int limit = io.assay.server.http.RequestParams.optionalLong(v.request(), "limit", 1, 1000).map(Long::intValue).orElse(FLEET_PAGE_ROWS);
        // Indexed host rows, one page, counts by verdict from the database: the page costs the same at 100,000 hosts.
        FleetTables.FleetPage page = store.read(tx -> tx.fleet().fleetPage(new FleetTables.FleetQuery(scope.operators(),
                Optional.empty(), group, Optional.empty(), after, limit)));
        List<String> groupList = store.read(tx -> tx.fleet().groupNames(scope.operators()));
        TreeSet<String> groups = new TreeSet<>(groupList);
        Map<String, Long> byVerdict = new java.util.TreeMap<>();
        page.hostsByVerdict().forEach((k, n) -> byVerdict.put(k.equals("NONE") ? "-" : k, n));
        StringBuilder rows = new StringBuilder();
        for (FleetTables.FleetRow h : page.hosts()) {
            String verdict = h.lastVerdict().map(Verdict::name).orElse("-");
            rows.append("<tr class=\"host ").append(verdict.toLowerCase(java.util.Locale.ROOT)).append("\"><td><a href=\"/dashboard/hosts/")
                    .append(esc(h.hostId())).append("\">").append(esc(h.hostId())).append("</a></td><td>")
                    .append(esc(h.hostname())).append("</td><td>").append(esc(h.operator())).append("</td><td>")
                    .append(esc(String.join(", ", h.groups()))).append("</td><td class=verdict>").append(esc(verdict))
                    .append("</td><td>").append(h.lastSeen().map(Instant::toString).orElse(v.t("never")))
                    .append("</td><td>").append(h.lastSeq()).append("</td></tr>");
        }
        StringBuilder out = new StringBuilder("<h1>" + esc(v.t("fleet")) + "</h1><p id=summary>");
        byVerdict.forEach((k, n) -> out.append("<span class=\"pill ").append(esc(k.toLowerCase(java.util.Locale.ROOT)))
                .append("\">").append(esc(k)).append(": ").append(n).append("</span> "));
        out.append("</p><form method=get action=/dashboard><select name=group><option value=\"\">")
                .append(esc(v.t("allGroups"))).append("</option>");
        for (String g : groups) {
            out.append("<option").append(group.map(g::equals).orElse(false) ? " selected" : "").append(">").append(esc(g))
                    .append("</option>");
        }
        out.append("</select> <button type=submit>").append(esc(v.t("filter"))).append("</button></form>");
        out.append("<table id=fleet><tr><th>").append(esc(v.t("host"))).append("</th><th>").append(esc(v.t("hostname")))
                .append("</th><th>").append(esc(v.t("operator"))).append("</th><th>").append(esc(v.t("groups")))
                .append("</th><th>").append(esc(v.t("verdict"))).append("</th><th>").append(esc(v.t("lastSeen")))
                .append("</th><th>").append(esc(v.t("seq"))).append("</th></tr>").append(rows).append("</table>");
        page.nextAfter().ifPresent(next -> out.append("<p><a id=next-page href=\"/dashboard?")
                .append(group.map(g -> "group=" + URLEncoder.encode(g, StandardCharsets.UTF_8) + "&amp;").orElse(""))
                .append("limit=").append(limit).append("&amp;after=").append(URLEncoder.encode(next, StandardCharsets.UTF_8)).append("\">")
                .append(esc(v.t("nextPage"))).append("</a></p>"));
        return out.toString();
    }

    private String host(Viewer v, Scope scope) {
        String id = v.request().pathParam("id");
        Optional<HostRecord> host = store.read(tx -> tx.findHost(id));
        if (host.isEmpty() || !scope.sees(store.read(tx -> tx.fleet().membership(id)).operator())) {
            return "<h1>" + esc(v.t("notfound")) + "</h1>";
        }
        HostRecord h = host.get();
        Membership m = store.read(tx -> tx.fleet().membership(id));
        List<ReportRow> rows = store.read(tx -> tx.listReports(id, new ReportQuery(Long.MIN_VALUE, Long.MAX_VALUE,
                Math.max(0, h.lastSeq() - TIMELINE), TIMELINE)));
        // Evidence and coverage over the span of the newest reports (the agent's window times).
        long spanFrom = rows.isEmpty() ? clock.millis() - 1 : rows.get(0).windowStartMs();
        long spanTo = rows.isEmpty() ? clock.millis() : Math.max(spanFrom + 1, rows.get(rows.size() - 1).windowEndMs());
        ComplianceReport.HostLine day = reports.evidence(id, spanFrom, spanTo);
        List<HostEvent> events = store.read(tx -> tx.listEvents(id));
        StringBuilder out = new StringBuilder();
        out.append("<h1>").append(esc(v.t("host"))).append(" <span id=host-id>").append(esc(id)).append("</span></h1><p>")
                .append(esc(h.identity().hostname())).append(" · ").append(esc(v.t("operator"))).append(": ")
                .append(esc(m.operator())).append(" · ").append(esc(v.t("groups"))).append(": ")
                .append(esc(String.join(", ", m.groups()))).append(" · ").append(esc(v.t("verdict"))).append(": <b id=verdict>")
                .append(esc(h.lastVerdict().map(Verdict::name).orElse("-"))).append("</b></p>");
        out.append("<p>").append(esc(v.t("coverageSpan"))).append(": ").append(day.coveredMs() / 1000).append(" / ")
                .append(day.gapMs() / 1000).append("</p>");
        out.append("<h2>").append(esc(v.t("timeline"))).append("</h2><div id=timeline class=timeline>");
        Map<Long, String> logged = logStates(id, rows);
        for (ReportRow r : rows) {
            String state = logged.getOrDefault(r.seq(), "queued");
            out.append("<span class=\"cell ").append(r.verdict().name().toLowerCase(java.util.Locale.ROOT))
                    .append(state.equals("checkpointed") ? "" : " unlogged").append("\" title=\"seq ")
                    .append(r.seq()).append(" ").append(Instant.ofEpochMilli(r.windowStartMs())).append(" ")
                    .append(r.verdict()).append(" · ").append(esc(v.t("log." + state))).append("\"></span>");
        }
        out.append("</div>");
        out.append(logStatus(v, logged, rows.size()));
        out.append(charts(v, id, rows, spanFrom, spanTo));
        out.append("<h2>").append(esc(v.t("evidence"))).append("</h2><table id=findings><tr><th>").append(esc(v.t("rule")))
                .append("</th><th>").append(esc(v.t("kind"))).append("</th><th>").append(esc(v.t("summary")))
                .append("</th><th>").append(esc(v.t("process"))).append("</th><th>").append(esc(v.t("seq"))).append("</th></tr>");
        for (ComplianceReport.FindingLine f : day.findings()) {
            JsonObject e = f.finding();
            out.append("<tr class=finding><td>").append(esc(f.ruleId())).append("</td><td>").append(esc(f.kind()))
                    .append("</td><td>").append(esc(f.summary())).append("</td><td>").append(esc(text(e, "processName")))
                    .append(" ").append(esc(text(e, "exePath"))).append(" ").append(esc(text(e, "pid"))).append("</td><td>")
                    .append(f.firstSeq()).append("–").append(f.lastSeq()).append("</td></tr>");
        }
        out.append("</table>");
        out.append("<h2>").append(esc(v.t("chain"))).append("</h2><p>seq ").append(h.lastSeq()).append(" · ")
                .append(esc(h.lastHash().isEmpty() ? "-" : h.lastHash().substring(0, 16) + "…")).append(" · key ")
                .append(esc(h.keyId())).append("</p>");
        out.append(chainBreaks(v, h, store.read(tx -> tx.listChainBreaks(id))));
        out.append("<h3>").append(esc(v.t("events"))).append("</h3><ul>");
        if (events.isEmpty()) out.append("<li>").append(esc(v.t("none"))).append("</li>");
        for (HostEvent e : events) {
            out.append("<li>").append(esc(e.kind().wireName())).append(" ").append(e.at()).append(": ")
                    .append(esc(e.detail())).append("</li>");
        }
        return out.append("</ul>").toString();
    }

    private String findings(Viewer v, Scope scope) {
        List<Alert> alerts = store.read(tx -> tx.alerts().listAlerts().stream()
                .filter(a -> scope.sees(tx.fleet().membership(a.hostId()).operator())).toList());
        boolean mayAck = FleetRoutes.WRITERS.contains(v.token().role());
        StringBuilder out = new StringBuilder("<h1>" + esc(v.t("findings")) + "</h1><table id=alerts><tr><th>"
                + esc(v.t("raised")) + "</th><th>" + esc(v.t("kind")) + "</th><th>" + esc(v.t("host")) + "</th><th>"
                + esc(v.t("detail")) + "</th><th>" + esc(v.t("state")) + "</th></tr>");
        for (Alert a : alerts) {
            out.append("<tr id=\"alert-").append(esc(a.id())).append("\"><td>").append(a.raisedAt()).append("</td><td>")
                    .append(esc(a.kind().wireName())).append("</td><td><a href=\"/dashboard/hosts/").append(esc(a.hostId()))
                    .append("\">").append(esc(a.hostId())).append("</a></td><td>").append(esc(a.detail()))
                    .append("</td><td class=state>").append(esc(v.t(a.ackedAt().isPresent() ? "acked" : "open")));
            if (a.ackedAt().isPresent()) {
                out.append(" · ").append(esc(a.ackedBy()));
            } else if (mayAck) {
                out.append(" <form method=post action=\"/dashboard/alerts/").append(esc(a.id()))
                        .append("/ack\" style=display:inline><input type=hidden name=csrf value=\"")
                        .append(csrfToken(v.request())).append("\"><button type=submit class=ack>").append(esc(v.t("ack")))
                        .append("</button></form>");
            }
            out.append("</td></tr>");
        }
        return out.append("</table>").toString();
    }

    /**
     * {@code POST /dashboard/alerts/{id}/ack}: an admin or operator acknowledges an alert from the
     * findings page. A cross-site form post could ride on the session cookie (SameSite=Strict stops
     * it in today's browsers, not in every browser), so the post must also come from this origin
     * ({@code Origin}, else {@code Referer}) and carry the session's form token.
     */
    private ApiResponse acknowledge(ApiRequest r) {
        Optional<Viewer> v = viewer(r);
        if (v.isEmpty()) return redirect("/dashboard/login", Optional.empty());
        if (!sameOrigin(r) || !MessageDigest.isEqual(csrfToken(r).getBytes(StandardCharsets.UTF_8),
                form(r).getOrDefault("csrf", "").getBytes(StandardCharsets.UTF_8))) {
            throw ApiException.of(403, "cross-site", "Cross-site request refused", "this form must be sent from the"
                    + " dashboard's own pages (Origin or Referer of this collector, and the page's form token); reload"
                    + " the findings page and try again");
        }
        if (!FleetRoutes.WRITERS.contains(v.get().token().role())) {
            throw ApiException.of(403, "forbidden", "Forbidden", "only admin and operator tokens acknowledge alerts");
        }
        try {
            AlertRoutes.acknowledge(store, clock, v.get().token(), r.pathParam("id"));
        } catch (ApiException e) {
            // Acknowledged meanwhile (another tab, the API): the page shows by whom.
            if (e.problem().status() != 409) throw e;
        }
        return redirect("/dashboard/findings", Optional.empty());
    }

    /**
     * The session's form token: derived from the session's secret token, so a page of another site
     * cannot know it, and stable for the session, so a page left open still works.
     */
    private static String csrfToken(ApiRequest r) {
        String session = cookies(r).getOrDefault(COOKIE, "");
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("assay-dashboard-form\n" + session)
                    .getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /** The post names this collector as its origin: {@code Origin}, or where there is none, {@code Referer}. */
    static boolean sameOrigin(ApiRequest r) {
        Optional<String> host = r.header("host");
        if (host.isEmpty()) return false;
        Optional<String> from = r.header("origin").filter(o -> !o.equals("null")).or(() -> r.header("referer"));
        if (from.isEmpty()) return false;
        try {
            java.net.URI u = java.net.URI.create(from.get());
            return u.getRawAuthority() != null && u.getRawAuthority().equalsIgnoreCase(host.get())
                    && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The newest reports' payloads, by seq; a payload that cannot be read is left out (its figures show as not reported). */
    private Map<Long, Report> payloads(String id, List<ReportRow> rows) {
        return store.read(tx -> {
            Map<Long, Report> out = new HashMap<>();
            for (ReportRow row : rows) {
                tx.findReport(id, row.seq()).ifPresent(stored -> {
                    try {
                        Envelope env = Json.fromJson(stored.envelopeJson(), Envelope.class);
                        out.put(row.seq(), Json.fromBytes(Envelopes.unverifiedPayload(env), Report.class));
                    } catch (RuntimeException e) {
                        // stored before a format change: the charts say "not reported" for it
                    }
                });
            }
            return out;
        });
    }

    private String charts(Viewer v, String id, List<ReportRow> rows, long spanFrom, long spanTo) {
        Map<Long, Report> reports = payloads(id, rows);
        StringBuilder out = new StringBuilder("<h2>").append(esc(v.t("charts"))).append("</h2><div id=charts>");
        record Series(String id, String label, String unit, java.util.function.Function<Report, OptionalDouble> figure,
                OptionalDouble max) {}
        for (Series s : List.of(
                new Series("chart-cpu", v.t("chart.cpu"), "%", HostFigures::cpuPercent, OptionalDouble.of(100)),
                new Series("chart-gpu", v.t("chart.gpu"), "%", HostFigures::gpuPercent, OptionalDouble.of(100)),
                new Series("chart-energy", v.t("chart.energy"), " W", HostFigures::watts, OptionalDouble.empty()))) {
            List<Chart.Point> points = new ArrayList<>();
            for (ReportRow r : rows) {
                Report rep = reports.get(r.seq());
                points.add(new Chart.Point(r.seq(), r.windowStartMs(), r.windowEndMs(),
                        rep == null ? OptionalDouble.empty() : s.figure().apply(rep)));
            }
            out.append("<figure><figcaption>").append(esc(s.label())).append("</figcaption>")
                    .append(Chart.svg(s.id(), s.label(), s.unit(), points, spanFrom, spanTo, s.max(), v.t("notReported")))
                    .append("</figure>");
        }
        return out.append("</div>").toString();
    }

    /** Per shown report: {@code checkpointed} (in the newest signed checkpoint), {@code sequenced} or (absent) queued. */
    private Map<Long, String> logStates(String id, List<ReportRow> rows) {
        if (rows.isEmpty()) return Map.of();
        return store.read(tx -> {
            long size = tx.log().latestCheckpoint().map(c -> c.size()).orElse(0L);
            Map<Long, String> out = new HashMap<>();
            for (var leaf : tx.log().leavesOf(id, rows.get(0).seq(), rows.get(rows.size() - 1).seq())) {
                out.put(leaf.seq(), leaf.index() < size ? "checkpointed" : "sequenced");
            }
            return out;
        });
    }

    private String logStatus(Viewer v, Map<Long, String> states, int shown) {
        long in = states.values().stream().filter("checkpointed"::equals).count();
        long size = store.read(tx -> tx.log().latestCheckpoint().map(c -> c.size()).orElse(0L));
        return "<p id=log-status>" + esc(v.t("log.status")) + ": <b>" + in + "</b> / " + shown + " · "
                + esc(v.t("log.size")) + " " + size + "</p>";
    }

    private String chainBreaks(Viewer v, HostRecord h, List<ChainBreak> breaks) {
        boolean stuck = breaks.stream().anyMatch(b -> b.chainEnd() == h.lastSeq());
        StringBuilder out = new StringBuilder("<p id=chain-status class=\"" + (stuck ? "bad" : "ok") + "\">")
                .append(esc(v.t(stuck ? "chain.broken" : breaks.isEmpty() ? "chain.intact" : "chain.healed")))
                .append("</p>");
        if (breaks.isEmpty()) return out.toString();
        out.append("<table id=chain-breaks><tr><th>").append(esc(v.t("kind"))).append("</th><th>")
                .append(esc(v.t("chain.end"))).append("</th><th>").append(esc(v.t("chain.refusedSeq"))).append("</th><th>")
                .append(esc(v.t("chain.refusals"))).append("</th><th>").append(esc(v.t("chain.first"))).append("</th><th>")
                .append(esc(v.t("chain.last"))).append("</th><th>").append(esc(v.t("detail"))).append("</th></tr>");
        for (ChainBreak b : breaks) {
            out.append("<tr class=chain-break><td>").append(esc(b.kind().wireName())).append("</td><td>").append(b.chainEnd())
                    .append("</td><td>").append(b.gotSeq()).append("</td><td class=refusals>").append(b.refusals())
                    .append("</td><td>").append(b.firstAt()).append("</td><td>").append(b.lastAt()).append("</td><td>")
                    .append(esc(b.detail())).append("</td></tr>");
        }
        return out.append("</table>").toString();
    }

    private String pledges(Viewer v, Scope scope) {
        List<Pledge> pledges = store.read(tx -> tx.fleet().listPledges()).stream().filter(p -> scope.sees(p.operator())).toList();
        StringBuilder out = new StringBuilder("<h1>" + esc(v.t("pledges")) + "</h1><table id=pledges><tr><th>id</th><th>"
                + esc(v.t("name")) + "</th><th>" + esc(v.t("operator")) + "</th><th>" + esc(v.t("period")) + "</th><th>"
                + esc(v.t("status")) + "</th><th>" + esc(v.t("report")) + "</th></tr>");
        for (Pledge p : pledges) {
            String base = "/dashboard/pledges/" + esc(p.id()) + "/report?format=";
            out.append("<tr><td>").append(esc(p.id())).append("</td><td>").append(esc(p.name())).append("</td><td>")
                    .append(esc(p.operator())).append("</td><td>").append(p.from()).append(" – ").append(p.to())
                    .append("</td><td>").append(esc(v.t(p.to().isAfter(clock.instant()) ? "running" : "ended")))
                    .append("</td><td><a href=\"").append(base).append("pdf\">PDF</a> <a href=\"").append(base)
                    .append("csv\">CSV</a> <a href=\"").append(base).append("json\">JSON</a></td></tr>");
        }
        return out.append("</table>").toString();
    }

    private ApiResponse pledgeReport(ApiRequest r) throws Exception {
        Optional<Viewer> v = viewer(r);
        if (v.isEmpty()) return redirect("/dashboard/login", Optional.empty());
        ReportFormat format;
        try {
            format = ReportFormat.parse(r.queryParam("format").orElse("pdf"));
        } catch (IllegalArgumentException e) {
            throw ApiException.malformed(e.getMessage());
        }
        Pledge p = store.read(tx -> tx.fleet().findPledge(r.pathParam("id")))
                .filter(x -> v.get().scope().sees(x.operator()))
                .orElseThrow(() -> ApiException.notFound("no pledge " + r.pathParam("id")));
        ComplianceReport report = reports.compute(p);
        return ApiResponse.stream(format.contentType(), Map.of("Content-Disposition", "attachment; filename=\"" + p.id()
                + "-report." + format.extension() + "\""), out -> format.write(report, out));
    }

    private String ipCheckForm(Viewer v, String list, String results) {
        return "<h1>" + esc(v.t("ipcheck")) + "</h1><form method=post action=/dashboard/ip-check><p>" + esc(v.t("ipcheck.help"))
                + "</p><textarea name=list id=ip-list rows=8 cols=70>" + esc(list) + "</textarea><br><button type=submit id=ip-submit>"
                + esc(v.t("check")) + "</button></form>" + results;
    }

    private String ipCheck(Viewer v, Scope scope) {
        String list = form(v.request()).getOrDefault("list", "");
        List<IpQuery> queries;
        try {
            queries = IpQuery.parse(list);
        } catch (IpQuery.BadListException e) {
            return ipCheckForm(v, list, "<p class=bad id=ip-error>" + esc(e.getMessage()) + "</p>");
        }
        StringBuilder out = new StringBuilder("<table id=ip-results><tr><th>" + esc(v.t("input")) + "</th><th>"
                + esc(v.t("status")) + "</th><th>" + esc(v.t("hosts")) + "</th></tr>");
        for (JsonElement e : ipChecks.check(queries, scope)) {
            JsonObject o = e.getAsJsonObject();
            out.append("<tr><td>").append(esc(o.get("input").getAsString())).append("</td><td class=\"")
                    .append(o.get("mining").getAsBoolean() ? "mining" : "").append("\">").append(esc(o.get("status").getAsString()))
                    .append(o.get("mining").getAsBoolean() ? " MINING" : "").append("</td><td>");
            List<String> hosts = new ArrayList<>();
            o.getAsJsonArray("hosts").forEach(h -> hosts.add(h.getAsJsonObject().get("host").getAsString()));
            for (String h : hosts) out.append("<a href=\"/dashboard/hosts/").append(esc(h)).append("\">").append(esc(h)).append("</a> ");
            out.append("</td></tr>");
        }
        return ipCheckForm(v, list, out.append("</table>").toString());
    }

    // --- HTML ---

    private String layout(Viewer v, String body) {
        String path = v.request().path();
        String nav = "<nav><a href=/dashboard id=nav-fleet>" + esc(v.t("fleet")) + "</a> <a href=/dashboard/findings id=nav-findings>"
                + esc(v.t("findings")) + "</a> <a href=/dashboard/pledges id=nav-pledges>" + esc(v.t("pledges"))
                + "</a> <a href=/dashboard/ip-check id=nav-ipcheck>" + esc(v.t("ipcheck")) + "</a> · " + esc(v.token().role().wireName())
                + " <form method=post action=/dashboard/logout style=display:inline><button type=submit id=logout>"
                + esc(v.t("logout")) + "</button></form> " + langSwitch(path, v.zh()) + "</nav>";
        return document(v.zh(), nav + body);
    }

    private static String langSwitch(String path, boolean zh) {
        return "<span class=lang><a href=\"" + esc(path) + "?lang=en\" id=lang-en" + (zh ? "" : " class=on") + ">English</a> | <a href=\""
                + esc(path) + "?lang=zh\" id=lang-zh" + (zh ? " class=on" : "") + ">中文</a></span>";
    }

    private static String document(boolean zh, String body) {
        return "<!doctype html><html lang=" + (zh ? "zh-CN" : "en") + "><head><meta charset=utf-8><title>"
                + esc(Messages.get("title", zh)) + "</title><style>"
                + "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;margin:1.5em;color:#222}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
                + "nav{margin-bottom:1em}nav a{margin-right:1em}.lang{float:right}.lang .on{font-weight:bold}"
                + ".pill{padding:2px 8px;border-radius:8px;background:#eee}.mining{background:#f8c0c0}.suspect{background:#fbe3a0}"
                + ".degraded{background:#ddd}.clean .verdict{color:#1a7f37}.bad{color:#b00}"
                + ".timeline .cell{display:inline-block;width:10px;height:22px;margin-right:1px;background:#9be29b}"
                + ".timeline .mining{background:#d33}.timeline .suspect{background:#e9b300}.timeline .degraded{background:#999}"
                + ".timeline .unlogged{outline:1px dashed #555}.ok{color:#1a7f37}figure{display:inline-block;margin:0 12px 1em 0;vertical-align:top}"
                + "figcaption{font-weight:bold;margin-bottom:2px}.chart{border:1px solid #ddd;background:#fff}"
                + "</style></head><body>" + body + "</body></html>";
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    private static ApiResponse html(int status, String html) {
        byte[] b = html.getBytes(StandardCharsets.UTF_8);
        return new ApiResponse(status, "text/html; charset=utf-8", Map.of("Cache-Control", "no-store",
                "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
                out -> out.write(b));
    }

    private static ApiResponse redirect(String location, Optional<String> setCookie) {
        Map<String, String> h = new HashMap<>();
        h.put("Location", location);
        setCookie.ifPresent(c -> h.put("Set-Cookie", c));
        return new ApiResponse(303, "text/plain; charset=utf-8", h, out -> {});
    }

    private static Optional<String> cookie(String name, String value, long maxAgeSeconds) {
        return Optional.of(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8) + "; Path=/dashboard; Max-Age="
                + maxAgeSeconds + "; HttpOnly; SameSite=Strict");
    }

    private static Map<String, String> cookies(ApiRequest r) {
        Map<String, String> out = new HashMap<>();
        for (String part : r.header("cookie").orElse("").split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) out.put(part.substring(0, eq).trim(), URLDecoder.decode(part.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Map<String, String> form(ApiRequest r) {
        Map<String, String> out = new HashMap<>();
        for (String pair : new String(r.body(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
