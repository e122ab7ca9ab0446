package io.x0tta6bl4.connectors.flink;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.UndecodableRecordException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes raw Kafka records into Avro records; anything that does not decode goes to {@link DeadLetters#TAG}
 * with the reason, so one bad record never stops a job.
 */
public final class DecodeOrDeadLetter<T extends SpecificRecord> extends ProcessFunction<RawRecord, T> {
    private static final long serialVersionUID = 1L;

    private final AvroCodec<T> codec;
    private final String stage;

    public DecodeOrDeadLetter(AvroCodec<T> codec, String stage) {
        this.codec = codec;
        this.stage = stage;
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<T> out) {
        try {
            out.collect(codec.decode(raw.value));
        } catch (UndecodableRecordException e) {
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, stage, e.getMessage(), ctx.timerService().currentProcessingTime()));
        }
    }
}
