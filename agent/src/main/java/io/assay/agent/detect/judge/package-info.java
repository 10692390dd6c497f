/**
 * The pure judge: observations of a window plus the rules in, findings and one verdict out. No file,
 * path or network API and no clock in this package ({@code JudgePurityTest} checks the sources):
 * instants come with the observations, state lives in the caller's {@link
 * io.assay.agent.detect.judge.Window}, and every verdict, the daemon's, {@code scan}'s and each
 * process's, comes from {@link io.assay.agent.detect.judge.Verdicts}.
 *
 * <h2>Adding a source</h2>
 *
 * <ol>
 *   <li>An observation record here (what was seen, immutable, no payloads the report must not carry),
 *       and a field for it in {@link io.assay.agent.detect.judge.Tick} (read every tick) or
 *       {@link io.assay.agent.detect.judge.CloserLook} (read only for processes in question).
 *   <li>A source class outside this package that does the reading and returns that record, or a
 *       {@link io.assay.agent.detect.judge.SourceNote} saying what it could not read and whether that
 *       degrades the window.
 *   <li>Judge rules: a method in {@link io.assay.agent.detect.judge.Judge} that turns the record into
 *       findings ({@code sig.*} signatures decide alone; {@code beh.*} behaviours count by independence
 *       group in {@link io.assay.agent.detect.judge.Verdicts#groupOf}; {@code host.*} host findings),
 *       with its thresholds in the rules file.
 * </ol>
 */
package io.assay.agent.detect.judge;
