package io.x0tta6bl4.connectors;

import io.x0tta6bl4.schema.MetricKind;
import io.x0tta6bl4.schema.MetricSample;
import io.x0tta6bl4.schema.TelemetryBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes telemetry batches for DetectJob, which reads every one of them: a batch written with the current schema is
 * read straight from the array, and its strings (node ids, metric names, label keys and values, the same few hundred
 * over and over) come from a table of the ones already read instead of being built anew; any other record goes
 * through {@link AvroCodec} (older released schemas, every malformed header). Per 12-sample batch this does a third of
 * the work of Avro's generated decoder, and its strings are the same instances batch after batch, so the detector
 * matches a sample to its series by reference.
 *
 * <p>It reads the Avro binary encoding of exactly one schema, checked by fingerprint: {@link #IMPLEMENTED_FINGERPRINT}.
 * When {@code TelemetryBatch.avsc} changes, the direct path switches itself off (every record then takes Avro's path,
 * correct and slower) and {@code TelemetryDecoderTest} fails until this reader is brought up to date. Bad input gets
 * the same treatment as from Avro: an {@link UndecodableRecordException} naming what is wrong.
 *
 * <p>Not thread-safe (one per operator instance). Given a batch to reuse, the batch and its samples are those of
 * earlier calls, overwritten (a caller that keeps nothing of a batch past the next call, and changes none of it: a
 * sample whose name and labels are encoded as last time keeps the objects it had), and every label map, the node's and
 * each sample's, is a shared read-only map, the same instance whenever the labels are encoded with the same bytes and
 * never changed afterwards: the same map means the same labels, so a caller tells known labels by reference. Given
 * null, everything is new. A record left to Avro is always decoded into a new batch: Avro would refill a reused batch's
 * maps in place, and a map that changes would break that promise.
 */
public final class TelemetryDecoder {
    /** The parsing fingerprint of the TelemetryBatch schema this reader implements. */
    public static final long IMPLEMENTED_FINGERPRINT = 0x7FDC16DFA43D5A8DL;
    private static final MetricKind[] KINDS = MetricKind.values();

    private final AvroCodec<TelemetryBatch> codec = AvroCodec.of(TelemetryBatch.class);
    private final boolean direct;
    private final StringTable strings = new StringTable();
    /** Label maps, the node's and the samples', by their encoding: see {@link #sharedLabels()}. */
    private final BytesTable<Map<String, String>> labelMaps = new BytesTable<>();
    /** Samples handed out by earlier calls, reused in order. */
    private final List<MetricSample> pool = new ArrayList<>();
    /**
     * Per pooled sample, the bytes its name and labels were decoded from last time (null: not known). The same bytes
     * decode to the same name and labels, which the pooled sample still holds: a fleet's batches list the same series
     * in the same order, so most samples skip three string lookups and a label map's lookup for one comparison.
     */
    private final List<byte[]> heads = new ArrayList<>();
    private byte[] in;
    private int pos;

    public TelemetryDecoder() {
        this.direct = codec.currentFingerprint() == IMPLEMENTED_FINGERPRINT;
    }

    /** Whether records of the current schema are read directly (false: the schema changed since this reader was written). */
    public boolean readsCurrentSchemaDirectly() {
        return direct;
    }

    /** Decodes {@code bytes} (Avro single-object encoding), into {@code reuse} when given. */
    public TelemetryBatch decode(byte[] bytes, TelemetryBatch reuse) throws UndecodableRecordException {
        if (!direct || bytes == null || !codec.writtenWithCurrentSchema(bytes)) {
            return codec.decode(bytes, null);
        }
        try {
            return read(bytes, reuse);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new UndecodableRecordException("corrupt or truncated TelemetryBatch body (ends inside a field)", e);
        } finally {
            in = null;
        }
    }

    private TelemetryBatch read(byte[] bytes, TelemetryBatch reuse) throws UndecodableRecordException {
        boolean reusing = reuse != null;
        TelemetryBatch batch = reusing ? reuse : new TelemetryBatch();
        in = bytes;
        pos = AvroCodec.HEADER_LENGTH;
        batch.setNodeId(readString());
        batch.setTimestampMs(readLong());
        batch.setSequence(readLong());
        batch.setNodeLabels(reusing ? sharedLabels() : newLabels());

        List<MetricSample> samples = reusing && batch.getSamples() instanceof ArrayList<MetricSample> l ? l : new ArrayList<>();
        samples.clear();
        for (long block = readBlockCount(); block != 0; block = readBlockCount()) {
            for (long i = 0; i < block; i++) {
                if (samples.size() >= AvroCodec.MAX_ITEMS) { // a corrupt count must not allocate gigabytes: Avro's limits
                    throw new UndecodableRecordException("corrupt TelemetryBatch body: more than " + AvroCodec.MAX_ITEMS + " samples");
                }
                samples.add(readSample(reusing ? samples.size() : -1));
            }
        }
        batch.setSamples(samples);
        return batch;
    }

    /** The next sample, into the {@code index}th of the pool (-1: a new one, for a caller that keeps its batches). */
    private MetricSample readSample(int index) throws UndecodableRecordException {
        MetricSample sample;
        if (index < 0 || index == pool.size()) {
            sample = new MetricSample();
            if (index >= 0) {
                pool.add(sample);
                heads.add(null);
            }
        } else {
            sample = pool.get(index);
        }
        byte[] head = index >= 0 ? heads.get(index) : null;
        if (head != null && head.length <= in.length - pos && Arrays.equals(in, pos, pos + head.length, head, 0, head.length)) {
            pos += head.length; // decoding these bytes again would give the name and labels the sample already holds
        } else {
            if (index >= 0) {
                heads.set(index, null); // a failure half-way leaves the sample changed: its old bytes no longer describe it
            }
            int start = pos;
            sample.setName(readString());
            sample.setLabels(index >= 0 ? sharedLabels() : newLabels());
            if (index >= 0) {
                heads.set(index, Arrays.copyOfRange(in, start, pos));
            }
        }
        sample.setValue(Double.longBitsToDouble(readFixedLong()));
        long kind = readLong();
        if (kind < 0 || kind >= KINDS.length) {
            throw new UndecodableRecordException("corrupt TelemetryBatch body: metric kind " + kind + " is not one of " + Arrays.toString(KINDS));
        }
        sample.setKind(KINDS[(int) kind]);
        return sample;
    }

    /** The label map encoded next, as a new map of the caller's own. */
    private Map<String, String> newLabels() throws UndecodableRecordException {
        Map<String, String> labels = new HashMap<>();
        readMap(labels);
        return labels;
    }

    /**
     * The label map encoded next, as a shared read-only map: the same bytes give the same instance (a fleet's nodes
     * send the same labels with every batch, many nodes share them, and a node's series repeat the same few), so a
     * caller tells known labels by identity and nothing is built. The map's extent is found first, which checks its
     * structure as reading it would.
     */
    private Map<String, String> sharedLabels() throws UndecodableRecordException {
        int start = pos;
        readMap(null);
        Map<String, String> labels = labelMaps.get(in, start, pos - start);
        if (labels == null) {
            int end = pos;
            pos = start;
            Map<String, String> read = new HashMap<>();
            readMap(read);
            labels = Collections.unmodifiableMap(read);
            labelMaps.put(in, start, end - start, labels);
        }
        return labels;
    }

    /** Reads a label map into {@code into}; given null, only walks past it, checking its structure as reading it would. */
    private void readMap(Map<String, String> into) throws UndecodableRecordException {
        if (into != null) {
            into.clear();
        }
        long walked = 0;
        for (long block = readBlockCount(); block != 0; block = readBlockCount()) {
            if ((into != null ? into.size() : walked) + block > AvroCodec.MAX_ITEMS) {
                throw new UndecodableRecordException("corrupt TelemetryBatch body: a label map of more than " + AvroCodec.MAX_ITEMS + " entries");
            }
            for (long i = 0; i < block; i++) {
                if (into != null) {
                    String key = readString();
                    into.put(key, readString());
                } else {
                    skipString(); // the key
                    skipString(); // the value
                }
            }
            walked += block;
        }
    }

    /** An array or map block's item count; a negative count is followed by the block's size in bytes (skipped). */
    private long readBlockCount() throws UndecodableRecordException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw new UndecodableRecordException("corrupt TelemetryBatch body: block count out of range");
            }
            count = -count;
            readLong();
        }
        return count;
    }

    private String readString() throws UndecodableRecordException {
        int length = stringLength();
        String s = strings.get(in, pos, length);
        pos += length;
        return s;
    }

    private void skipString() throws UndecodableRecordException {
        int length = stringLength(); // not pos += stringLength(): that adds to pos as it was before the length was read
        pos += length;
    }

    /** The length of the string that follows, checked against the record's end. */
    private int stringLength() throws UndecodableRecordException {
        long length = readLong();
        if (length < 0 || length > AvroCodec.MAX_BYTES || length > in.length - pos) {
            throw new UndecodableRecordException("corrupt or truncated TelemetryBatch body: string length " + length);
        }
        return (int) length;
    }

    /** Avro's long: zig-zag, then 7 bits a byte, least significant first. */
    private long readLong() throws UndecodableRecordException {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in[pos++];
            raw |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new UndecodableRecordException("corrupt TelemetryBatch body: a variable-length integer longer than 10 bytes");
    }

    /** Avro's double: 8 bytes, little-endian. */
    private long readFixedLong() {
        if (in.length - pos < 8) {
            throw new ArrayIndexOutOfBoundsException(pos + 8);
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (in[pos + i] & 0xFFL);
        }
        pos += 8;
        return v;
    }

    /** The strings read so far, by their UTF-8 bytes. */
    static final class StringTable {
        private final BytesTable<String> table = new BytesTable<>();

        String get(byte[] bytes, int offset, int length) {
            String s = table.get(bytes, offset, length);
            if (s == null) {
                s = new String(bytes, offset, length, StandardCharsets.UTF_8);
                table.put(bytes, offset, length, s);
            }
            return s;
        }
    }

    /**
     * Values by the bytes they were decoded from (open addressing). Bounded: when full it starts afresh, so a stream
     * of ever-new keys costs a value each, as without the table, and never unbounded memory.
     */
    static final class BytesTable<V> {
        private static final int CAPACITY = 4096; // a power of two; at most half full
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private final byte[][] keys = new byte[CAPACITY][];
        private final Object[] values = new Object[CAPACITY];
        private int size;

        /** The value remembered for these bytes, or null. */
        @SuppressWarnings("unchecked")
        V get(byte[] bytes, int offset, int length) {
            for (int slot = firstSlot(bytes, offset, length); keys[slot] != null; slot = (slot + 1) & (CAPACITY - 1)) {
                byte[] key = keys[slot];
                if (Arrays.equals(key, 0, key.length, bytes, offset, offset + length)) {
                    return (V) values[slot];
                }
            }
            return null;
        }

        /** Remembers a value for bytes not in the table. */
        void put(byte[] bytes, int offset, int length, V value) {
            if (size == CAPACITY / 2) {
                Arrays.fill(keys, null);
                Arrays.fill(values, null);
                size = 0;
            }
            int slot = firstSlot(bytes, offset, length);
            while (keys[slot] != null) {
                slot = (slot + 1) & (CAPACITY - 1);
            }
            keys[slot] = Arrays.copyOfRange(bytes, offset, offset + length);
            values[slot] = value;
            size++;
        }

        private static int firstSlot(byte[] bytes, int offset, int length) {
            int hash = hash(bytes, offset, length);
            return (hash ^ (hash >>> 16)) & (CAPACITY - 1);
        }

        /**
         * The length and the first and last eight bytes, read as two longs: constant time whatever the length, where a
         * byte-by-byte hash was a quarter of the lookup. Keys alike in all three only share a probe sequence (the
         * bytes are compared in full), and names that differ only in their middle are rare.
         */
        static int hash(byte[] bytes, int offset, int length) {
            long h;
            if (length >= Long.BYTES) {
                h = (long) LONGS.get(bytes, offset) * 31 + (long) LONGS.get(bytes, offset + length - Long.BYTES);
            } else {
                h = 0;
                for (int i = offset; i < offset + length; i++) {
                    h = (h << 8) | (bytes[i] & 0xFF);
                }
            }
            h = (h + length) * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }
}
