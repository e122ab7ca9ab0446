package io.x0tta6bl4.jobs.common;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time for the jobs that run on the nodes' clocks: bounded-out-of-orderness watermarks that one node's broken
 * clock cannot drag into the future. A record stamped more than {@code watermark.max-ahead.ms} beyond this machine's
 * clock still flows, with its own timestamp, but does not move the watermark. Without that, a node whose clock ran a
 * day ahead (a real-time clock before NTP has run, after a reboot) moved event time a day on for every node read from
 * the same partition: their open episodes were closed and their series forgotten, by timers meant for silence.
 */
public final class EventTime {
    private EventTime() {}

    /** Watermarks from the records' own timestamps, as {@code watermark.*} configures them. */
    public static <T> WatermarkStrategy<T> watermarks(JobConfig config, SerializableTimestampAssigner<T> timestamps) {
        long disorderMs = config.getMillis("watermark.disorder.ms").toMillis();
        long maxAheadMs = config.getMillis("watermark.max-ahead.ms").toMillis();
        WatermarkStrategy<T> strategy = context -> new ClockCappedWatermarks<>(disorderMs, maxAheadMs, System::currentTimeMillis);
        return strategy.withTimestampAssigner(timestamps).withIdleness(config.getMillis("watermark.idle.ms"));
    }

    /**
     * Flink's bounded-out-of-orderness watermarks, fed only the timestamps at most {@code maxAheadMs} beyond the clock.
     * The clock is read again only for a timestamp ahead of its last reading by more than that, which a healthy fleet
     * never sends: a record costs one comparison.
     */
    static final class ClockCappedWatermarks<T> implements WatermarkGenerator<T> {
        private final WatermarkGenerator<T> bounded;
        private final long maxAheadMs;
        private final LongSupplier clock;
        private long clockMs;

        ClockCappedWatermarks(long disorderMs, long maxAheadMs, LongSupplier clock) {
            if (disorderMs < 0 || maxAheadMs < 0) {
                throw new IllegalArgumentException("watermark disorder and max-ahead must not be negative");
            }
            this.bounded = new BoundedOutOfOrdernessWatermarks<>(Duration.ofMillis(disorderMs));
            this.maxAheadMs = maxAheadMs;
            this.clock = clock;
            this.clockMs = clock.getAsLong();
        }

        @Override
        public void onEvent(T event, long timestamp, WatermarkOutput output) {
            if (timestamp - clockMs > maxAheadMs) {
                clockMs = clock.getAsLong();
                if (timestamp - clockMs > maxAheadMs) {
                    return; // a broken clock: the record flows on, event time does not move
                }
            }
            bounded.onEvent(event, timestamp, output);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            bounded.onPeriodicEmit(output);
        }
    }
}
