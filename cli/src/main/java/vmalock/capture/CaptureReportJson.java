package vmalock.capture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link CaptureReport} as JSON (snake_case keys): the workspace's capture.json and {@code capture --json}. */
public final class CaptureReportJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private CaptureReportJson() {
    }

    public static void write(CaptureReport r, OutputStream out) throws IOException {
        JSON.writerFor(CaptureReport.class).without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValue(out, r);
        out.write('\n');
        out.flush();
    }

    public static void write(CaptureReport r, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(r, out);
        }
    }

    public static CaptureReport read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), CaptureReport.class);
    }
}
