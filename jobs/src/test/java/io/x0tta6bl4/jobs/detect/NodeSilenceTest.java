package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a node's rhythm is learnt, and when it counts as silent. */
class NodeSilenceTest {
    private static final DetectorSettings SETTINGS = DetectorSettings.defaults();
    private final NodeSilence silence = new NodeSilence(SETTINGS);

    private long send(NodeSeries node, long fromMs, int batches, long everyMs) {
        long ts = fromMs;
        for (int i = 0; i < batches; i++) {
            silence.heard(node, ts, Long.MIN_VALUE);
            ts += everyMs;
        }
        return ts - everyMs;
    }

    @Test
    void aNodeIsJudgedOnlyOnceItsRhythmIsKnown() {
        NodeSeries node = new NodeSeries();
        send(node, 0, NodeSilence.JUDGED_AFTER_GAPS, 1_000);
        assertThat(silence.silentAtMs(node)).as("two gaps: not judged yet").isEqualTo(Long.MAX_VALUE);
        send(node, 3_000, 1, 1_000);
        assertThat(silence.silentAtMs(node)).isEqualTo(3_000 + SETTINGS.nodeSilentAfterMs());
    }

    @Test
    void twoBatchesSentTogetherAtStartUpDoNotMakeASlowNodeLookFast() {
        NodeSeries node = new NodeSeries();
        silence.heard(node, 0, Long.MIN_VALUE);
        silence.heard(node, 5, Long.MIN_VALUE); // sent together
        long last = send(node, 60_005, 2, 60_000);
        assertThat(silence.silentAfterMs(node)).as("five of its intervals, at least").isGreaterThan(2 * 60_000);
        assertThat(silence.becameSilent(node, last + 60_000, 0)).as("one batch late").isFalse();
    }

    @Test
    void anOutageDoesNotTeachASlowRhythmNorABacklogAFastOne() {
        NodeSeries node = new NodeSeries();
        long last = send(node, 0, 100, 1_000);
        silence.heard(node, last + 600_000, Long.MIN_VALUE); // ten minutes away
        assertThat(silence.silentAfterMs(node)).as("a one-second node is still silent after a minute").isEqualTo(SETTINGS.nodeSilentAfterMs());

        NodeSeries slow = new NodeSeries();
        last = send(slow, 0, 30, 60_000);
        send(slow, last + 5, 10, 5); // a backlog of queued batches, sent at once
        assertThat(silence.silentAfterMs(slow)).as("a one-minute node is not silent after two").isGreaterThan(2 * 60_000);
    }

    @Test
    void aSilenceOpensOnceAndTheNextBatchEndsIt() {
        NodeSeries node = new NodeSeries();
        long last = send(node, 0, 10, 1_000);
        assertThat(silence.becameSilent(node, last + SETTINGS.nodeSilentAfterMs() - 1, 0)).isFalse();
        assertThat(silence.becameSilent(node, last + SETTINGS.nodeSilentAfterMs(), 0)).isTrue();
        assertThat(silence.silentAtMs(node)).as("already silent").isEqualTo(Long.MAX_VALUE);
        assertThat(silence.becameSilent(node, last + 10 * SETTINGS.nodeSilentAfterMs(), 0)).isFalse();
        assertThat(silence.heard(node, last + 100_000, Long.MIN_VALUE)).as("silent since its last batch").isEqualTo(last);
        assertThat(silence.heard(node, last + 101_000, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aNodeSendingABacklogIsHeardWhenItsBatchesComeNotAtTheirTimes() {
        NodeSeries node = new NodeSeries();
        send(node, 0, 10, 1_000);
        silence.heard(node, 10_000, 500_000); // an old batch, arriving when the fleet is at 500 s
        assertThat(silence.silentAtMs(node)).isEqualTo(500_000 + SETTINGS.nodeSilentAfterMs());
    }

    @Test
    void aNodeIsNotJudgedWhileTheJobCatchesUp() {
        NodeSeries node = new NodeSeries();
        long last = send(node, 0, 10, 1_000);
        long due = last + SETTINGS.nodeSilentAfterMs();
        long lag = SETTINGS.nodeSilentAfterMs() + 1; // event time more than a threshold behind the wall clock
        assertThat(silence.becameSilent(node, due, lag)).isFalse();
        assertThat(silence.nextCheckMs(node, due)).as("looked at again a threshold later").isEqualTo(due + SETTINGS.nodeSilentAfterMs());
        assertThat(silence.becameSilent(node, due + SETTINGS.nodeSilentAfterMs(), 0)).as("caught up").isTrue();
    }

    @Test
    void offMeansNeverSilent() {
        NodeSilence off = new NodeSilence(SETTINGS.with(java.util.Map.of("nodeSilentAfterMs", "0")));
        NodeSeries node = new NodeSeries();
        for (int i = 0; i < 10; i++) {
            off.heard(node, i * 1_000L, Long.MIN_VALUE);
        }
        assertThat(off.silentAtMs(node)).isEqualTo(Long.MAX_VALUE);
        assertThat(off.becameSilent(node, Long.MAX_VALUE - 1, 0)).isFalse();
    }
}
