package vmalock.fleet;

import java.io.Serializable;

/** One input trace: its id in every output table, where it is, and the manifest's description of it. */
public record TraceInput(int index, String traceId, String path, String host, String kernel, String workload)
        implements Serializable {
}
