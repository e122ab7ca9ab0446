package io.x0tta6bl4.jobs.common;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.command.CommandRejectedException;
import io.x0tta6bl4.connectors.command.CommandVerifier;
import io.x0tta6bl4.connectors.command.ControlMessages;
import io.x0tta6bl4.connectors.command.TrustStore;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.schema.ControlRecord;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets through only control records signed by the pinned root keys (when {@code control.keys.dir} is set);
 * a forged or unsigned setting goes to the dead-letter topic with the reason instead of steering a job
 * (HealJob's policy and approvals, DiagnoseJob's dependency graph).
 */
public class VerifyControl extends ProcessFunction<ControlRecord, ControlRecord> {
    private static final long serialVersionUID = 1L;

    private final String rootKeysDir;
    private final String stage;
    private transient CommandVerifier verifier;

    public VerifyControl(String rootKeysDir, String stage) {
        this.rootKeysDir = rootKeysDir;
        this.stage = stage;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        if (!rootKeysDir.isBlank()) {
            verifier = CommandVerifier.hybrid(TrustStore.fromKeySet(Path.of(rootKeysDir)));
        }
    }

    @Override
    public void processElement(ControlRecord record, Context ctx, Collector<ControlRecord> out) {
        if (verifier == null) {
            out.collect(record);
            return;
        }
        try {
            ControlMessages.verify(record, verifier);
            out.collect(record);
        } catch (CommandRejectedException e) {
            RawRecord raw = new RawRecord("control", 0, -1, record.getUpdatedAtMs(), record.getSettingId().getBytes(),
                    AvroCodec.of(ControlRecord.class).encode(record));
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, stage, "control record refused: " + e.getMessage(),
                    ctx.timerService().currentProcessingTime()));
        }
    }
}
