package vmalock.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON trees read and written with jackson-core's streaming parser and generator alone, without an
 * {@code ObjectMapper} (issue 13, start-up: building the first mapper costs a short command ~75 ms of CPU — its
 * class initialisation sets up date formats and locale data —, more than the rest of its JSON work). The same
 * nodes as {@code ObjectMapper.readTree} with the default settings, and the same text as {@code writeValueAsString}
 * of a mapper with {@code SerializationFeature.INDENT_OUTPUT} and the default settings otherwise
 * ({@code JsonTreesTest} compares both ways).
 */
public final class JsonTrees {
    /** The streaming factory (a mapper's has the same default features). */
    public static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {
    }

    /** The document in {@code file}, as {@code ObjectMapper.readTree(file)}: a missing node for an empty file. */
    public static JsonNode read(Path file) throws IOException {
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            return p.nextToken() == null ? MissingNode.getInstance() : value(p);
        }
    }

    /** The document in {@code bytes}, as {@code ObjectMapper.readTree(bytes)}. */
    public static JsonNode read(byte[] bytes) throws IOException {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            return p.nextToken() == null ? MissingNode.getInstance() : value(p);
        }
    }

    /** The value starting at the parser's current token (left on its last token), as a tree. */
    public static JsonNode value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, value(p));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(value(p));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT: return NODES.numberNode(p.getIntValue());
                    case LONG: return NODES.numberNode(p.getLongValue());
                    default: return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return p.getNumberType() == JsonParser.NumberType.BIG_DECIMAL ? NODES.numberNode(p.getDecimalValue())
                        : NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    /** The tree as indented text (no line end after it). */
    public static String pretty(JsonNode n) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(indented(g), n);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /** The tree as indented UTF-8 text (no line end after it). */
    public static byte[] prettyBytes(JsonNode n) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(b)) {
            write(indented(g), n);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array does not fail
        }
        return b.toByteArray();
    }

    /** {@code g} with the pretty printer {@code SerializationFeature.INDENT_OUTPUT} gives a mapper's generators. */
    public static JsonGenerator indented(JsonGenerator g) {
        return g.setPrettyPrinter(new DefaultPrettyPrinter());
    }

    /** Writes the tree as a mapper serialises it (every value, nulls and empty containers included). */
    public static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT:
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
                return;
            case ARRAY:
                g.writeStartArray();
                for (JsonNode x : n) {
                    write(g, x);
                }
                g.writeEndArray();
                return;
            case STRING:
                g.writeString(n.textValue());
                return;
            case BOOLEAN:
                g.writeBoolean(n.booleanValue());
                return;
            case NULL:
                g.writeNull();
                return;
            case NUMBER:
                switch (n.numberType()) {
                    case INT: g.writeNumber(n.intValue()); return;
                    case LONG: g.writeNumber(n.longValue()); return;
                    case BIG_INTEGER: g.writeNumber(n.bigIntegerValue()); return;
                    case FLOAT: g.writeNumber(n.floatValue()); return;
                    case BIG_DECIMAL: g.writeNumber(n.decimalValue()); return;
                    default: g.writeNumber(n.doubleValue()); return;
                }
            default:
                throw new IllegalArgumentException("not a JSON value: " + n.getNodeType());
        }
    }
}
