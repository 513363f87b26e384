package vmalock.cli.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/**
 * JSON: {@code {"runs": [run…], "reports": [{"name", "description", "sections": [{"title", "columns", "rows": [{col: value}]}]}]}};
 * numbers stay numbers (µs as in the column names), NULL is null.
 */
final class JsonResultWriter implements ResultFormat.ResultWriter {
    private final PrintWriter out;
    private final JsonGenerator g;

    JsonResultWriter(PrintWriter out, List<String> runs) {
        this.out = out;
        try {
            g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
            g.writeStartObject();
            if (runs != null) {
                g.writeArrayFieldStart("runs");
                for (String r : runs) {
                    g.writeString(r);
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("reports");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void report(Query q, List<ResultTable> sections) {
        try {
            g.writeStartObject();
            g.writeStringField("name", q.name());
            g.writeStringField("description", q.description());
            g.writeArrayFieldStart("sections");
            for (ResultTable t : sections) {
                g.writeStartObject();
                g.writeStringField("title", t.title());
                g.writeArrayFieldStart("columns");
                for (String c : t.columns()) {
                    g.writeString(c);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("rows");
                for (Object[] row : t.rows()) {
                    g.writeStartObject();
                    for (int c = 0; c < row.length; c++) {
                        g.writeFieldName(t.columns().get(c));
                        value(row[c]);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void value(Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Long || v instanceof Integer) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double) {
            double d = (Double) v;
            if (Double.isFinite(d)) {
                g.writeNumber(BigDecimal.valueOf(d).stripTrailingZeros().toPlainString());
            } else {
                g.writeNull();
            }
        } else if (v instanceof BigDecimal) {
            g.writeNumber(((BigDecimal) v).stripTrailingZeros().toPlainString());
        } else if (v instanceof java.math.BigInteger) {
            g.writeNumber((java.math.BigInteger) v);
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof List) {
            g.writeStartArray();
            for (Object x : (List<?>) v) {
                value(x);
            }
            g.writeEndArray();
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> en : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(en.getKey()));
                value(en.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(v.toString());
        }
    }

    @Override
    public void finish() {
        try {
            g.writeEndArray();
            g.writeEndObject();
            g.flush();
            out.println();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
