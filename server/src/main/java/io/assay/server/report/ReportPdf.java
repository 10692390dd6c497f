package io.assay.server.report;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import io.assay.protocol.Verdict;
import io.assay.server.report.ComplianceReport.FindingLine;
import io.assay.server.report.ComplianceReport.HostLine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The printable report, bilingual (Chinese and English) for filing with Chinese regulators. The
 * CJK font is embedded (subset) from the fonts Debian ships; the PDF standard fonts have no
 * Chinese glyphs, and a PDF that relies on the reader's fonts prints boxes on a machine without them.
 */
final class ReportPdf {
    /** Debian packages' CJK fonts, first found wins: fonts-wqy-microhei, fonts-noto-cjk, fonts-wqy-zenhei. */
    static final List<String> CJK_FONTS = List.of(
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc");

    private ReportPdf() {}

    static void write(ComplianceReport r, OutputStream out) throws IOException {
        BaseFont base = cjkFont();
        Font title = new Font(base, 16, Font.BOLD);
        Font body = new Font(base, 9);
        Font small = new Font(base, 7);
        Document doc = new Document(PageSize.A4.rotate(), 30, 30, 30, 30);
        try {
            PdfWriter.getInstance(doc, out).setCloseStream(false);
            doc.addTitle("Compliance report " + r.pledge().id());
            doc.open();
            doc.add(new Paragraph("合规报告 Compliance report: " + r.pledge().name(), title));
            doc.add(new Paragraph("承诺 Pledge " + r.pledge().id() + " · 运营方 Operator " + r.pledge().operator()
                    + " · 期间 Period " + Instant.ofEpochMilli(r.fromMs()) + " – " + Instant.ofEpochMilli(r.toMs())
                    + " · 生成 Generated " + r.generatedAt(), body));
            if (!r.pledge().text().isEmpty()) doc.add(new Paragraph("承诺内容 Pledge text: " + r.pledge().text(), body));
            doc.add(new Paragraph("日志检查点 Log checkpoint: " + r.checkpoint()
                    .map(c -> "size " + c.size() + ", " + c.createdAt() + ", reports not yet in it: "
                            + c.reportsNotInCheckpoint())
                    .orElse("无 none (the log has no signed checkpoint yet)"), body));
            doc.add(new Paragraph("未证明时间（间隙）从不计为清洁。Unattested time (gaps) is never counted clean.", body));
            doc.add(new Paragraph(" ", body));

            PdfPTable t = new PdfPTable(new float[] {3, 3, 2, 2, 2, 2, 2, 2, 2, 2});
            t.setWidthPercentage(100);
            t.setHeaderRows(1);
            for (String h : List.of("主机 Host", "主机名 Hostname", "覆盖 Covered s", "间隙 Gap s", "清洁 Clean s",
                    "可疑 Suspect s", "挖矿 Mining s", "降级 Degraded s", "发现 Findings", "能耗 Energy J")) {
                t.addCell(new PdfPCell(new Phrase(h, body)));
            }
            for (HostLine h : r.hosts()) row(t, body, h.hostId(), h.hostname(), h.coveredMs(), h.gapMs(), h.msByVerdict(),
                    Integer.toString(h.findings().size()), energy(h.energyJoules()));
            var tot = r.totals();
            row(t, body, "合计 Total (" + tot.hosts() + ")", "", tot.coveredMs(), tot.gapMs(), tot.msByVerdict(),
                    "挖矿主机 mining hosts: " + tot.hostsWithMining(), energy(tot.energyJoules()));
            doc.add(t);

            for (HostLine h : r.hosts()) {
                if (h.findings().isEmpty()) continue;
                doc.add(new Paragraph("发现与证据 Findings and evidence: " + h.hostId() + " (" + h.hostname() + ")", body));
                for (FindingLine f : h.findings()) {
                    doc.add(new Paragraph("• [" + f.kind() + "] " + f.ruleId() + ": " + f.summary() + " (seq "
                            + f.firstSeq() + "–" + f.lastSeq() + ", " + f.reports() + " reports)", small));
                }
            }
        } catch (DocumentException e) {
            throw new IOException("cannot write the PDF report: " + e.getMessage(), e);
        } finally {
            if (doc.isOpen()) doc.close();
        }
    }

    private static void row(PdfPTable t, Font f, String host, String name, long covered, long gap,
            java.util.Map<Verdict, Long> ms, String findings, String energy) {
        t.addCell(new Phrase(host, f));
        t.addCell(new Phrase(name, f));
        t.addCell(new Phrase(num(covered), f));
        t.addCell(new Phrase(num(gap), f));
        for (Verdict v : List.of(Verdict.CLEAN, Verdict.SUSPECT, Verdict.MINING, Verdict.DEGRADED)) {
            t.addCell(new Phrase(num(ms.getOrDefault(v, 0L)), f));
        }
        t.addCell(new Phrase(findings, f));
        t.addCell(new Phrase(energy, f));
    }

    private static String num(long ms) {
        return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
    }

    private static String energy(java.util.OptionalDouble j) {
        return j.isPresent() ? String.format(Locale.ROOT, "%.1f", j.getAsDouble()) : "—";
    }

    private static BaseFont cjkFont() throws IOException {
        for (String path : CJK_FONTS) {
            if (!Files.isReadable(Path.of(path))) continue;
            try {
                // ",0": the first face of the TrueType collection; Identity-H so any Unicode text maps.
                return BaseFont.createFont(path + ",0", BaseFont.IDENTITY_H, BaseFont.EMBEDDED);
            } catch (DocumentException e) {
                throw new IOException("cannot load the CJK font " + path + ": " + e.getMessage(), e);
            }
        }
        throw new IOException("no CJK font found for the PDF report (looked for " + String.join(", ", CJK_FONTS)
                + "); install the Debian package fonts-wqy-microhei or fonts-noto-cjk");
    }
}
