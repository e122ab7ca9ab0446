package io.x0tta6bl4.connectors.command;

import io.x0tta6bl4.schema.ControlRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Signed operator settings on the control topic (kill switch, trusted keys, ...). The signed message is the
 * Avro binary of the record with its signatures left empty, under its own context string, so a control
 * signature can never pass for a command signature or the other way round.
 */
public final class ControlMessages {
    public static final byte[] CONTEXT = "x0tta6bl4/control/v1\0".getBytes(StandardCharsets.US_ASCII);

    private ControlMessages() {}

    static byte[] canonical(ControlRecord record) {
        ControlRecord unsigned = ControlRecord.newBuilder(record).setSignatures(List.of()).build();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<>(ControlRecord.class).write(unsigned, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record with root-key signatures attached. */
    public static ControlRecord sign(ControlRecord record, CommandSigner rootSigner) {
        return ControlRecord.newBuilder(record).setSignatures(rootSigner.signatures(CONTEXT, canonical(record))).build();
    }

    /** Throws unless every required algorithm signed the record with a pinned root key. */
    public static void verify(ControlRecord record, CommandVerifier rootVerifier) throws CommandRejectedException {
        rootVerifier.verifySignatures(CONTEXT, canonical(record), record.getSignatures());
    }
}
