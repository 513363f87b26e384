package vmalock.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The figures of {@code report --html}, drawn by XChart into SVG (VectorGraphics2D) with AWT headless — no
 * display needed — and cleaned for inlining into HTML: no XML prolog or DOCTYPE, no namespace URLs,
 * coordinates rounded to 0.01 px, clip-path ids prefixed by the figure id (unique within the page), and
 * an SVG {@code <title>} naming the figure and its series (XChart draws text as outlines, so the title is
 * the figure's text for search and screen readers). The same input gives the same bytes: XChart and
 * VectorGraphics2D use no clock or random ids (clip ids are shape hash codes).
 */
final class SvgCharts {
    static {
        // before any AWT class loads: charts are drawn off-screen, never on a display
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 960;
    static final int HEIGHT = 420;
    /** observed is black; replays take these in page order (Tableau 10 without its grey). */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0xbcbd22), new Color(0x17becf)};
    static final Color OBSERVED = Color.BLACK;

    private SvgCharts() {
    }

    /** One series: its name (a run id), colour and dash pattern index. */
    record Style(Color color, int dash) {
    }

    /** The colour and dash of the i-th run of the page (0 = observed). */
    static Style style(int i) {
        return i == 0 ? new Style(OBSERVED, 0) : new Style(PALETTE[(i - 1) % PALETTE.length], ((i - 1) / 3) % 3);
    }

    private static BasicStroke stroke(Style s, boolean observed) {
        float w = observed ? 2.5f : 1.6f;
        switch (s.dash()) {
            case 1:
                return new BasicStroke(w, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 3f}, 0f);
            case 2:
                return new BasicStroke(w, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 2f}, 0f);
            default:
                return new BasicStroke(w);
        }
    }

    private static void common(Styler s) {
        Font base = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        s.setBaseFont(base);
        s.setChartTitleFont(base.deriveFont(Font.BOLD, 14f));
        s.setLegendFont(base);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(new Color(0xcccccc));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setAntiAlias(true);
        s.setChartPadding(8);
    }

    private static void axes(AxesChartStyler s) {
        Font base = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        s.setAxisTitleFont(base);
        s.setAxisTickLabelsFont(base.deriveFont(11f));
        s.setPlotGridLinesColor(new Color(0xe0e0e0));
        s.setPlotBorderColor(new Color(0x999999));
        s.setLocale(Locale.ROOT);
    }

    /**
     * Empirical CDFs (step lines) on a log x axis. {@code series}: run id → points {x, F(x)} sorted by x, as
     * the wait_cdf report gives them; x ≤ 0 (waits below the clock's resolution) is drawn at the axis floor,
     * {@link #cdfFloor}: a decade below the smallest positive wait. Returns the SVG.
     */
    static String cdf(String id, String title, String xTitle, Map<String, List<double[]>> series,
                      Map<String, Style> styles) {
        double max = 0;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) max = Math.max(max, p[0]);
        }
        double floor = cdfFloor(series);
        double top = Math.max(max, floor * 10);
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle("fraction of waits ≤ x").build();
        common(c.getStyler());
        axes(c.getStyler());
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisMin(floor);
        c.getStyler().setXAxisMax(Math.pow(10, Math.ceil(Math.log10(top))));
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setYAxisDecimalPattern("0.0");
        // (a tick-label function would make XChart use a linear tick calculator: decades labelled by pattern instead)
        c.getStyler().setXAxisLogarithmicDecadeOnly(true);
        c.getStyler().setXAxisDecimalPattern("#,##0.###");
        c.getStyler().setMarkerSize(0);
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            List<double[]> pts = e.getValue();
            if (pts.isEmpty()) continue;
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            if (pts.get(0)[0] > 0) {
                xs.add(floor);
                ys.add(0.0);
            }
            for (double[] p : pts) {
                xs.add(p[0] > 0 ? p[0] : floor);
                ys.add(p[1]);
            }
            xs.add(top);
            ys.add(ys.get(ys.size() - 1));
            XYSeries s = c.addSeries(e.getKey(), xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            s.setMarker(SeriesMarkers.NONE);
            Style st = styles.get(e.getKey());
            s.setLineColor(st.color());
            s.setLineStyle(stroke(st, st.color() == OBSERVED));
        }
        return encode(id, title + ": " + String.join(", ", series.keySet()), c);
    }

    /**
     * Vertical bars: one group per category, one bar per series (a null value draws no bar). {@code oneBarEach}:
     * every category has one series' bar only — drawn full width, labelled with its value, no legend (the
     * categories name them). {@code names}: what the SVG title lists (the runs shown). Returns the SVG.
     */
    static String bars(String id, String title, String xTitle, String yTitle, List<String> categories,
                       Map<String, Double[]> series, Map<String, Style> styles, boolean oneBarEach, List<String> names) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        common(c.getStyler());
        axes(c.getStyler());
        c.getStyler().setLegendVisible(!oneBarEach);
        c.getStyler().setOverlapped(oneBarEach);
        c.getStyler().setLabelsVisible(oneBarEach);
        c.getStyler().setDecimalPattern("0.##");
        c.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        c.getStyler().setLabelsFontColorAutomaticEnabled(false);
        c.getStyler().setLabelsFontColor(Color.BLACK);
        c.getStyler().setLabelsPosition(1.0);
        c.getStyler().setXAxisLabelRotation(categories.size() > 6 ? 30 : 0);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setAvailableSpaceFill(oneBarEach ? 0.6 : 0.9);
        for (Map.Entry<String, Double[]> e : series.entrySet()) {
            CategorySeries s = c.addSeries(e.getKey(), categories, java.util.Arrays.asList(e.getValue()));
            Style st = styles.get(e.getKey());
            s.setFillColor(st == null ? PALETTE[0] : st.color());
        }
        return encode(id, title + ": " + String.join(", ", names), c);
    }

    /** Where a CDF's waits ≤ 0 are drawn on the log axis: the power of ten a decade below the smallest positive wait. */
    static double cdfFloor(Map<String, List<double[]>> series) {
        double minPos = Double.POSITIVE_INFINITY;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                if (p[0] > 0) minPos = Math.min(minPos, p[0]);
            }
        }
        return minPos == Double.POSITIVE_INFINITY ? 0.1 : Math.pow(10, Math.floor(Math.log10(minPos)) - 1);
    }

    /** A power of ten (or any axis value) as a short decimal: 0.001, 0.1, 1, 1000. */
    static String axisNumber(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static final Pattern LONG_DECIMAL = Pattern.compile("(-?\\d+\\.\\d\\d)\\d+");
    private static final Pattern CLIP_ID = Pattern.compile("(id=\"|url\\(#)(clip)");

    static String encode(String id, String description, Chart<?, ?> chart) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, o, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String svg = o.toString(StandardCharsets.UTF_8);
        int start = svg.indexOf("<svg");
        if (start < 0) throw new IllegalStateException("XChart wrote no <svg> element");
        svg = svg.substring(start).strip();
        svg = svg.replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "")
                .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
        svg = LONG_DECIMAL.matcher(svg).replaceAll("$1");
        svg = CLIP_ID.matcher(svg).replaceAll("$1" + Matcher.quoteReplacement(id) + "-$2");
        int gt = svg.indexOf('>');
        return svg.substring(0, gt) + " role=\"img\" aria-labelledby=\"" + id + "-title\">\n  <title id=\"" + id
                + "-title\">" + HtmlReportWriter.esc(description) + "</title>" + svg.substring(gt + 1);
    }
}
