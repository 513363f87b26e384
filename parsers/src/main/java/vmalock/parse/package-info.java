/**
 * Parsers: every supported text format → canonical {@link vmalock.event.Event}s delivered to an
 * {@link vmalock.event.EventSink}.
 *
 * <h2>API</h2>
 * <ul>
 *   <li>{@link vmalock.parse.TraceParsers#parse(java.nio.file.Path, TraceFormat, int, vmalock.event.EventSink, boolean)}
 *       — a file (format detected when null); {@link vmalock.parse.TraceParsers#parse(java.io.InputStream, String,
 *       TraceFormat, int, vmalock.event.EventSink, boolean)} — a stream, line by line as bytes arrive
 *       ({@code trace_pipe}). Both return a {@link vmalock.parse.SourceResult} and throw
 *       {@link vmalock.parse.TraceInputException} (one-line message naming the file) for input that cannot
 *       be parsed at all, or — strict — at the first bad line (after reporting it to the sink).</li>
 *   <li>{@link vmalock.parse.TraceFormat}: {@code ftrace}, {@code trace-cmd}, {@code perf}, {@code csv}
 *       ({@link vmalock.parse.TraceFormat#fromCliName}); {@link vmalock.parse.FormatDetector#detect}.</li>
 *   <li>{@link vmalock.parse.CsvEventWriter}: events → CSV that the {@code csv} format reads back identically.</li>
 * </ul>
 *
 * <h2>Design</h2>
 * One small class per format ({@code FtraceParser}, {@code TraceCmdParser}, {@code PerfScriptParser},
 * {@code CsvEventParser}) over a shared line engine ({@code TextParser}: 4 MiB byte chunks, SWAR newline
 * search, no per-line String) and a shared field parser ({@code EventLineParser}: one handler per event
 * type, dispatch on the interned name bytes). Comms, names and argument names are interned through a
 * small byte-keyed table. Timestamps are exact integer ns (or ticks for bare-integer clocks). Every
 * physical line is exactly one of: event, lost marker (an event of kind LOST), non-event line
 * (header, blank, other), problem. Compressed input (gzip, xz, zstd) is detected from magic bytes.
 */
package vmalock.parse;
