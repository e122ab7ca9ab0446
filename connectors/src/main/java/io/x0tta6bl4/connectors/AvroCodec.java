package io.x0tta6bl4.connectors;

import io.x0tta6bl4.schema.Contracts;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (2-byte marker, 8-byte schema fingerprint, binary body) for one record type.
 *
 * <p>The fingerprint is what makes bad input recognisable: random bytes fail the marker, a record written
 * with a schema this codec has never seen fails the fingerprint lookup, and a truncated body fails to
 * decode. Each failure becomes an {@link UndecodableRecordException} with a reason fit for the dead-letter
 * topic. Records written with any released version of the schema still decode (schema resolution).
 *
 * <p>Instances are cheap to share per thread but not thread-safe (Avro's encoder reuses buffers); they are
 * serializable so Flink functions can carry one and rebuild the Avro machinery on the task manager.
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The most bytes one string or byte array of a record may claim, and the most items one array or map may. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    public static final int MAX_ITEMS = 1_000_000;

    static {
        // A corrupt length field must not make a decoder allocate gigabytes: cap what one record may claim,
        // unless the operator set the limits. Read once by Avro, so this runs before any decoding.
        limit("org.apache.avro.limits.bytes.maxLength", MAX_BYTES);
        limit("org.apache.avro.limits.string.maxLength", MAX_BYTES);
        limit("org.apache.avro.limits.collectionItems.maxLength", MAX_ITEMS);
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    private final Class<T> type;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;
    /** The hot path: records written with the current schema, read straight from the array (see {@link #decode}). */
    private transient volatile SpecificDatumReader<T> currentReader;
    private transient long currentFingerprint;

    private AvroCodec(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return SpecificData.get().getSchema(type);
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public T decode(byte[] bytes) throws UndecodableRecordException {
        return decode(bytes, null);
    }

    /**
     * Decodes into {@code reuse} where Avro can (hot paths that drop the record before the next one: fewer
     * allocations); null decodes into a new record.
     */
    public T decode(byte[] bytes, T reuse) throws UndecodableRecordException {
        if (bytes == null) {
            throw new UndecodableRecordException("empty record (null value)");
        }
        try {
            if (writtenWithCurrentSchema(bytes)) {
                SpecificDatumReader<T> reader = currentReader();
                // Avro's message decoder reads the body through an InputStream one byte at a time and resolves the
                // schema against itself; a decoder wrapping the array is about twice as fast (DetectJob decodes every
                // telemetry batch), and one per call shares nothing mutable between threads. Older schema versions
                // and every malformed header take the general path.
                return reader.read(reuse, DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null));
            }
            return decoder().decode(bytes, reuse);
        } catch (BadHeaderException e) {
            throw new UndecodableRecordException("not an Avro single-object record (" + e.getMessage() + ")", e);
        } catch (MissingSchemaException e) {
            throw new UndecodableRecordException("unknown schema for " + type.getSimpleName() + " (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            // Untrusted bytes: whatever Avro throws on them (bad lengths, huge arrays, unsupported sizes) means corrupt.
            throw new UndecodableRecordException("corrupt or truncated " + type.getSimpleName() + " body ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    /**
     * Avro's data model for the generated classes, with their generated encoders and decoders switched on: without
     * them every field goes through Avro's generic grammar interpreter. Measured by {@code x0 bench detect-throughput}:
     * DetectJob from 32k to 47k batches/s. Our own instance, so other users of Avro in the JVM are not changed.
     */
    private SpecificData model() {
        SpecificData model = new SpecificData(type.getClassLoader());
        model.setCustomCoders(true);
        return model;
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(model(), schema());
        }
        return encoder;
    }

    /** Single-object header: the marker C3 01, then the schema's 64-bit parsing fingerprint, little-endian. */
    public static final int HEADER_LENGTH = 10;

    /** The 64-bit parsing fingerprint of the current schema, as single-object headers carry it. */
    public long currentFingerprint() {
        currentReader();
        return currentFingerprint;
    }

    private SpecificDatumReader<T> currentReader() {
        if (currentReader == null) {
            Schema current = schema();
            currentFingerprint = SchemaNormalization.parsingFingerprint64(current);
            currentReader = new SpecificDatumReader<>(current, current, model()); // published after the fingerprint
        }
        return currentReader;
    }

    /** Whether {@code bytes} carry the single-object header of the current schema (the body then starts at {@link #HEADER_LENGTH}). */
    public boolean writtenWithCurrentSchema(byte[] bytes) {
        long current = currentFingerprint();
        if (bytes.length < HEADER_LENGTH || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            return false;
        }
        long fingerprint = 0;
        for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
            fingerprint = (fingerprint << 8) | (bytes[i] & 0xFFL);
        }
        return fingerprint == current;
    }

    @SuppressWarnings("unchecked")
    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            Schema current = schema();
            BinaryMessageDecoder<T> d = new BinaryMessageDecoder<>(model(), current);
            for (String version : Contracts.RELEASED_VERSIONS) {
                Schema old = Contracts.released(version).get(current.getFullName());
                if (old != null) {
                    d.addSchema(old);
                }
            }
            decoder = d;
        }
        return decoder;
    }
}
