package io.x0tta6bl4.connectors.flink;

import io.x0tta6bl4.schema.DeadLetter;
import java.nio.ByteBuffer;
import org.apache.flink.util.OutputTag;

/** The side output every decoding step writes refused input to, and how a refusal is recorded. */
public final class DeadLetters {
    /** Side output of records a stage could not decode or validate. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}

    public static DeadLetter of(RawRecord raw, String stage, String reason, long nowMs) {
        return DeadLetter.newBuilder()
                .setSourceTopic(raw.topic == null ? "" : raw.topic)
                .setPartition(raw.partition)
                .setOffset(raw.offset)
                .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
                .setPayload(ByteBuffer.wrap(raw.value == null ? new byte[0] : raw.value))
                .setReason(reason)
                .setStage(stage)
                .setFailedAtMs(nowMs)
                .build();
    }
}
