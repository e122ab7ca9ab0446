package io.x0tta6bl4.connectors.command;

import io.x0tta6bl4.schema.CommandBody;
import io.x0tta6bl4.schema.CommandParameter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The canonical bytes of a command body: Avro binary of {@link CommandBody} with parameters sorted by name.
 *
 * <p>Avro binary has one encoding per value once map order is out of the picture (parameters are a sorted
 * list for that reason), so "decode, re-encode, compare" tells a canonical body from a doctored one.
 */
public final class CanonicalCommand {
    private static final Comparator<CommandParameter> BY_NAME = Comparator.comparing(CommandParameter::getName);

    private CanonicalCommand() {}

    public static byte[] encode(CommandBody body) {
        List<CommandParameter> sorted = new ArrayList<>(body.getParameters());
        sorted.sort(BY_NAME);
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).getName().equals(sorted.get(i - 1).getName())) {
                throw new IllegalArgumentException("duplicate command parameter '" + sorted.get(i).getName() + "'");
            }
        }
        CommandBody canonical = CommandBody.newBuilder(body).setParameters(sorted).build();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<>(CommandBody.class).write(canonical, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode command body", e);
        }
    }

    /** Decodes the body of a signed command (the buffer is not consumed). */
    public static CommandBody decode(java.nio.ByteBuffer body) throws CommandRejectedException {
        return decode(bytes(body));
    }

    /** The remaining bytes of a buffer, without moving its position. */
    public static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    /** Decodes canonical body bytes; refuses trailing bytes and non-canonical encodings. */
    public static CommandBody decode(byte[] bytes) throws CommandRejectedException {
        CommandBody body;
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            body = new SpecificDatumReader<>(CommandBody.class).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new CommandRejectedException(RejectReason.MALFORMED, "trailing bytes after the command body");
            }
        } catch (IOException | RuntimeException e) {
            throw new CommandRejectedException(RejectReason.MALFORMED, "command body does not decode: " + e.getMessage());
        }
        if (!Arrays.equals(encode(body), bytes)) {
            throw new CommandRejectedException(RejectReason.MALFORMED, "command body is not in canonical form");
        }
        return body;
    }
}
