package io.x0tta6bl4.jobs.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.schema.Anomaly;
import io.x0tta6bl4.schema.AnomalyEndReason;
import io.x0tta6bl4.schema.AnomalyPhase;
import io.x0tta6bl4.schema.Incident;
import io.x0tta6bl4.schema.IncidentResolution;
import io.x0tta6bl4.schema.IncidentStatus;
import io.x0tta6bl4.schema.RootCause;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GroupAnomaliesHarnessTest {
    static final long WINDOW = 3_000;
    static final long MAX_AGE = 600_000;

    /** A start, or an end by recovery, as DetectJob reports them. */
    static Anomaly anomaly(String metric, AnomalyPhase phase, long startMs, double score) {
        return anomaly(metric, phase, startMs, score, phase == AnomalyPhase.ENDED ? AnomalyEndReason.RECOVERED : null);
    }

    static Anomaly anomaly(String metric, AnomalyPhase phase, long startMs, double score, AnomalyEndReason endReason) {
        return Anomaly.newBuilder().setAnomalyId("n1|" + metric + "|" + startMs).setNodeId("n1").setMetric(metric)
                .setLabels(Map.of()).setPhase(phase).setStartMs(startMs).setPeakMs(startMs)
                .setEndMs(phase == AnomalyPhase.ENDED ? startMs + 10_000 : null)
                .setEndReason(endReason).setScore(score).setObserved(1).setExpected(0).build();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Anomaly, Incident> harness() throws Exception {
        var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new GroupAnomaliesIntoIncidents(WINDOW, MAX_AGE),
                Anomaly::getNodeId, Types.STRING);
        h.setProcessingTime(0);
        return h;
    }

    @Test
    void causeAndSymptomsBecomeOneIncidentWithTheCauseRankedFirstThenResolve() throws Exception {
        try (var h = harness()) {
            // The symptom is the more extreme deviation, but it started two seconds after the cause.
            h.processElement(anomaly("cpu_usage_ratio", AnomalyPhase.STARTED, 10_000, 0.7), 10_000);
            h.processElement(anomaly("load1", AnomalyPhase.STARTED, 12_000, 0.9), 12_000);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(WINDOW);
            List<Incident> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            Incident open = out.get(0);
            assertThat(open.getStatus()).isEqualTo(IncidentStatus.OPEN);
            assertThat(open.getRootCauses()).extracting(RootCause::getMetric).containsExactly("cpu_usage_ratio", "load1");
            assertThat(open.getRootCauses().get(0).getKind()).isEqualTo("cpu_saturation");
            assertThat(open.getIncidentId()).isEqualTo("n1-10000");

            h.processElement(anomaly("cpu_usage_ratio", AnomalyPhase.ENDED, 10_000, 0.7), 20_000);
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processElement(anomaly("load1", AnomalyPhase.ENDED, 12_000, 0.9), 22_000);
            out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(1).getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(out.get(1).getResolution()).isEqualTo(IncidentResolution.RECOVERED);
            assertThat(open.getResolution()).isNull();
            assertThat(out.get(1).getRevision()).isEqualTo(2);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void blipThatEndsInsideTheWindowIsDroppedWithItsState() throws Exception {
        try (var h = harness()) {
            h.processElement(anomaly("disk_io_latency_seconds", AnomalyPhase.STARTED, 1_000, 0.6), 1_000);
            h.processElement(anomaly("disk_io_latency_seconds", AnomalyPhase.ENDED, 1_000, 0.6), 2_000);
            h.setProcessingTime(WINDOW * 2);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void laterAnomalyThatChangesTheTopCauseUpdatesTheIncident() throws Exception {
        try (var h = harness()) {
            h.processElement(anomaly("load1", AnomalyPhase.STARTED, 10_000, 0.55), 10_000);
            h.setProcessingTime(WINDOW);
            // Reported late (e.g. a slower series) but with an earlier onset: it is the better explanation.
            h.processElement(anomaly("cpu_usage_ratio", AnomalyPhase.STARTED, 8_000, 0.9), 10_500);
            List<Incident> out = h.extractOutputValues();
            assertThat(out).extracting(Incident::getStatus).containsExactly(IncidentStatus.OPEN, IncidentStatus.UPDATED);
            assertThat(out.get(1).getRootCauses().get(0).getMetric()).isEqualTo("cpu_usage_ratio");
        }
    }

    @Test
    void incidentWhoseAnomaliesNeverEndIsResolvedAtMaxAgeAndForgotten() throws Exception {
        try (var h = harness()) {
            h.processElement(anomaly("net_packet_loss_ratio", AnomalyPhase.STARTED, 1_000, 0.8), 1_000);
            h.setProcessingTime(WINDOW);
            h.setProcessingTime(MAX_AGE);
            assertThat(h.extractOutputValues()).extracting(Incident::getStatus).containsExactly(IncidentStatus.OPEN, IncidentStatus.RESOLVED);
            assertThat(h.extractOutputValues().get(1).getResolution()).isEqualTo(IncidentResolution.EXPIRED);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    /**
     * A node that went down ends its anomalies by silence: the incident is over (its evidence is gone) but it did not
     * recover, and HealJob must not verify a remediation by it. An end of a reason this job does not know counts as no
     * recovery either; an end written before ends had reasons was a recovery.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(value = {"RECOVERED, RECOVERED", "WENT_SILENT, WENT_SILENT", "OVER_SERIES_LIMIT, WENT_SILENT", "UNKNOWN, WENT_SILENT",
            "null, RECOVERED"}, nullValues = "null")
    void anIncidentRecoversOnlyWhenEveryMemberRecovered(AnomalyEndReason lastEnd, IncidentResolution expected) throws Exception {
        try (var h = harness()) {
            h.processElement(anomaly("cpu_usage_ratio", AnomalyPhase.STARTED, 10_000, 0.7), 10_000);
            h.processElement(anomaly("load1", AnomalyPhase.STARTED, 12_000, 0.9), 12_000);
            h.setProcessingTime(WINDOW);
            h.processElement(anomaly("cpu_usage_ratio", AnomalyPhase.ENDED, 10_000, 0.7), 20_000);
            h.processElement(anomaly("load1", AnomalyPhase.ENDED, 12_000, 0.9, lastEnd), 22_000);
            List<Incident> out = h.extractOutputValues();
            assertThat(out).extracting(Incident::getStatus).containsExactly(IncidentStatus.OPEN, IncidentStatus.RESOLVED);
            assertThat(out.get(1).getResolution()).isEqualTo(expected);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void endOfAnUnknownEpisodeIsIgnored() throws Exception {
        try (var h = harness()) {
            h.processElement(anomaly("cpu_usage_ratio", AnomalyPhase.ENDED, 1_000, 0.8), 1_000);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
