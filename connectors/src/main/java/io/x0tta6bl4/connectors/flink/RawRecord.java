package io.x0tta6bl4.connectors.flink;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A Kafka record as it came off the wire, before decoding. Jobs decode it in their own operator so that a
 * record that does not decode can be routed to the dead-letter topic whole, with where it came from.
 * Serialized by {@link RawRecordSerializer} (public fields, no-arg constructor).
 */
@TypeInfo(RawRecordTypeInfo.Factory.class)
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
