package io.x0tta6bl4.jobs.diagnose;

/** An open incident's own fields; its anomalies live in a map state beside it. A Flink POJO. */
public class IncidentHeader {
    public String incidentId;
    public long openedAtMs;
    public long updatedAtMs;
    public int revision;
    public boolean emitted;
    /** "node|metric" of the cause ranked first when the incident was last emitted. */
    public String topCause;
    /** Labels of the node (role, zone, ...), from its first anomaly, canonical (see Labels). */
    public String nodeLabels = "";
    /** Processing-time timers: when to emit the incident, and when to give up on it. */
    public long emitTimerMs;
    public long expiryTimerMs;

    public IncidentHeader() {}
}
