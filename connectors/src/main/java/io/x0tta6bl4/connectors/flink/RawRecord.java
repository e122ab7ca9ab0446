package io.x0tta6bl4.connectors.flink;

/**
 * A Kafka record as it came off the wire, before decoding. Jobs decode it in their own operator so that a
 * record that does not decode can be routed to the dead-letter topic whole, with where it came from.
 * A Flink POJO: public fields, no-arg constructor.
 */
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
