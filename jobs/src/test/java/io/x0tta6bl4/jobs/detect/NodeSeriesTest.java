package io.x0tta6bl4.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.x0tta6bl4.jobs.common.Labels;
import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSeriesTest {
    private static MetricSample sample(String name, Map<String, String> labels) {
        return MetricSample.newBuilder().setName(name).setLabels(labels).setValue(1).setKind(MetricKind.GAUGE).build();
    }

    private static final MetricSample CPU = sample("cpu_usage_ratio", Map.of());
    private static final MetricSample SDA = sample("disk_io_latency_seconds", Map.of("device", "sda"));
    private static final MetricSample SDB = sample("disk_io_latency_seconds", Map.of("device", "sdb"));
    private static final MetricSample ETH = sample("net_errors_total", Map.of("interface", "eth0", "direction", "rx"));

    /** Feeds one batch; returns the state each sample got. */
    private static List<SeriesState> batch(NodeSeries node, MetricSample... samples) {
        NodeSeries.Matcher m = node.matcher();
        List<SeriesState> states = new ArrayList<>();
        for (MetricSample s : samples) {
            states.add(m.next(s));
        }
        m.finish();
        return states;
    }

    private static List<String> order(NodeSeries node) {
        List<String> names = new ArrayList<>();
        for (SeriesState s : node.series) {
            names.add(s.labels.isEmpty() ? s.metric : s.metric + "{" + s.labels + "}");
        }
        return names;
    }

    @Test
    void eachSeriesKeepsItsOwnStateWhateverTheOrderOfTheBatch() {
        NodeSeries node = new NodeSeries();
        List<SeriesState> first = batch(node, CPU, SDA, SDB, ETH);
        assertThat(first).doesNotHaveDuplicates();
        assertThat(first.get(3).labels).isEqualTo("direction=rx,interface=eth0");

        List<SeriesState> shuffled = batch(node, ETH, SDB, CPU, SDA);
        assertThat(shuffled).containsExactly(first.get(3), first.get(2), first.get(0), first.get(1));
        assertThat(order(node)).as("the list follows the last batch's order").containsExactly(
                "net_errors_total{direction=rx,interface=eth0}", "disk_io_latency_seconds{device=sdb}", "cpu_usage_ratio",
                "disk_io_latency_seconds{device=sda}");
    }

    @Test
    void aSeriesThatAppearsOrVanishesMidListKeepsTheOthersWhereTheyWere() {
        NodeSeries node = new NodeSeries();
        List<SeriesState> first = batch(node, CPU, SDA, ETH);
        List<SeriesState> withSdb = batch(node, CPU, SDA, SDB, ETH);
        assertThat(withSdb.get(3)).isSameAs(first.get(2));
        assertThat(node.series).hasSize(4);

        List<SeriesState> withoutSda = batch(node, CPU, SDB, ETH);
        assertThat(withoutSda).containsExactly(first.get(0), withSdb.get(2), first.get(2));
        assertThat(order(node)).as("a series not listed is kept (the idle timer drops it), after the listed ones").containsExactly(
                "cpu_usage_ratio", "disk_io_latency_seconds{device=sdb}", "net_errors_total{direction=rx,interface=eth0}",
                "disk_io_latency_seconds{device=sda}");
    }

    @Test
    void aSeriesListedTwiceInOneBatchIsOneSeries() {
        NodeSeries node = new NodeSeries();
        List<SeriesState> states = batch(node, CPU, SDA, CPU);
        assertThat(states.get(2)).isSameAs(states.get(0));
        assertThat(node.series).hasSize(2);
        assertThat(batch(node, CPU, SDA)).containsExactlyElementsOf(List.of(states.get(0), states.get(1)));
    }

    @Test
    void labelsOnceMatchedAreKnownByTheirMapAndAnyOtherMapIsCompared() {
        NodeSeries node = new NodeSeries();
        SeriesState sda = batch(node, SDA).get(0);
        assertThat(sda.labelsCheckedFor).as("a new series knows the map it was made from").isSameAs(SDA.getLabels());

        MetricSample sdaAgain = sample("disk_io_latency_seconds", new java.util.HashMap<>(Map.of("device", "sda")));
        assertThat(batch(node, sdaAgain)).containsExactly(sda);
        assertThat(sda.labelsCheckedFor).isSameAs(sdaAgain.getLabels());

        assertThat(batch(node, SDB).get(0)).as("same name, another map with other labels: another series").isNotSameAs(sda);
        assertThat(batch(node, SDA, SDB).get(0)).isSameAs(sda);
    }

    @Test
    void labelsMatchTheirCanonicalTextAndNothingElse() {
        assertThat(Labels.matches("", Map.of())).isTrue();
        assertThat(Labels.matches("", null)).isTrue();
        assertThat(Labels.matches("device=sda", Map.of("device", "sda"))).isTrue();
        assertThat(Labels.matches("device=sda", Map.of("device", "sdb"))).isFalse();
        assertThat(Labels.matches("device=sda", Map.of("devic", "e=sda"))).as("same characters, split elsewhere").isFalse();
        assertThat(Labels.matches("device=sda", Map.of("device", "sd"))).isFalse();
        assertThat(Labels.matches("", Map.of("device", "sda"))).isFalse();
        assertThat(Labels.matches("direction=rx,interface=eth0", Map.of("interface", "eth0", "direction", "rx"))).isTrue();
        assertThat(Labels.matches("direction=tx,interface=eth0", Map.of("interface", "eth0", "direction", "rx"))).isFalse();
    }
}
