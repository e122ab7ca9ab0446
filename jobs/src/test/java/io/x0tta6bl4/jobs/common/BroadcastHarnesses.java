package io.x0tta6bl4.jobs.common;

import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** What Flink's keyed broadcast harness lacks: a count of keyed state entries, to assert nothing leaks. */
public final class BroadcastHarnesses {
    private BroadcastHarnesses() {}

    public static int keyedStateEntries(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> h) {
        var operator = (AbstractStreamOperator<?>) h.getTwoInputOperator();
        return ((HeapKeyedStateBackend<?>) operator.getKeyedStateBackend()).numKeyValueStateEntries();
    }
}
