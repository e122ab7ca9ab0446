package io.x0tta6bl4.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class EventTimeTest {
    private static final long DAY = 86_400_000L;

    /** The last watermark a generator emitted. */
    private static final class LastWatermark implements WatermarkOutput {
        long value = Long.MIN_VALUE;

        @Override
        public void emitWatermark(Watermark watermark) {
            value = watermark.getTimestamp();
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }

    @Test
    void aRecordFromAClockFarAheadDoesNotMoveEventTimeButTheOthersStillDo() {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        var generator = new EventTime.ClockCappedWatermarks<String>(2_000, 300_000, clock::get);
        LastWatermark out = new LastWatermark();
        long now = clock.get();

        generator.onEvent("node-1", now - 1_000, out);
        generator.onPeriodicEmit(out);
        assertThat(out.value).isEqualTo(now - 1_000 - 2_000 - 1);

        generator.onEvent("node-2, its clock a day ahead", now + DAY, out);
        generator.onPeriodicEmit(out);
        assertThat(out.value).as("not moved by the broken clock").isEqualTo(now - 1_000 - 2_000 - 1);

        generator.onEvent("node-1", now + 250_000, out); // ahead, but within the tolerance (a clock a few minutes fast)
        generator.onPeriodicEmit(out);
        assertThat(out.value).isEqualTo(now + 250_000 - 2_000 - 1);

        clock.addAndGet(DAY); // a day later, that timestamp is the present
        generator.onEvent("node-2", now + DAY, out);
        generator.onPeriodicEmit(out);
        assertThat(out.value).isEqualTo(now + DAY - 2_000 - 1);
    }

    @Test
    void theToleranceIsASettingWithASaneDefault() {
        assertThat(JobConfig.defaults().getMillis("watermark.max-ahead.ms").toMinutes()).isEqualTo(5);
        assertThat(JobConfig.fromArgs(new String[] {"--watermark.max-ahead.ms", "60000"}).getMillis("watermark.max-ahead.ms").toMillis())
                .isEqualTo(60_000);
    }
}
