package io.x0tta6bl4.jobs.common;

import io.x0tta6bl4.connectors.AvroCodec;
import io.x0tta6bl4.connectors.Topic;
import io.x0tta6bl4.connectors.flink.DeadLetters;
import io.x0tta6bl4.connectors.flink.DecodeOrDeadLetter;
import io.x0tta6bl4.connectors.flink.KafkaConnectors;
import io.x0tta6bl4.connectors.flink.RawRecord;
import io.x0tta6bl4.schema.ControlRecord;
import io.x0tta6bl4.schema.DeadLetter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The wiring every job shares: Kafka in, decode with dead letters, Kafka out, checkpointing. */
public final class Pipelines {
    private Pipelines() {}

    public static void configure(StreamExecutionEnvironment env, JobConfig config) {
        env.setParallelism((int) config.getLong("parallelism"));
        long interval = config.getLong("checkpoint.interval.ms");
        if (interval > 0) {
            env.enableCheckpointing(interval);
        }
    }

    /** Undecoded records of one topic; watermarks are assigned after decoding, from the records' own time. */
    public static DataStream<RawRecord> kafka(StreamExecutionEnvironment env, JobConfig config, Topic topic, String job) {
        return env.fromSource(
                        KafkaConnectors.source(config.kafka(), topic, config.groupId(job), startingOffsets(config)),
                        WatermarkStrategy.noWatermarks(), job + ": " + topic.baseName())
                .uid(job + "-source-" + topic.kind());
    }

    /**
     * A small compacted topic of settings (control, inventory) read whole from its start on every start of the job,
     * in a consumer group of its own: the latest record per key is in force whatever the job's {@code start} is.
     */
    public static DataStream<RawRecord> wholeTopic(StreamExecutionEnvironment env, JobConfig config, Topic topic, String job) {
        return env.fromSource(KafkaConnectors.source(config.kafka(), topic, config.groupId(job + "-" + topic.kind()), OffsetsInitializer.earliest()),
                        WatermarkStrategy.noWatermarks(), job + ": " + topic.baseName())
                .uid(job + "-source-" + topic.kind());
    }

    /** Control records that decode and carry valid root signatures, and the dead letters of those that do not. */
    public record TrustedControl(DataStream<ControlRecord> records, DataStream<DeadLetter> deadLetters) {}

    public static TrustedControl trustedControl(DataStream<RawRecord> raw, JobConfig config, String job) {
        SingleOutputStreamOperator<ControlRecord> decoded = decode(raw, ControlRecord.class, job);
        SingleOutputStreamOperator<ControlRecord> trusted = decoded
                .process(new VerifyControl(config.get("control.keys.dir"), job), TypeInformation.of(ControlRecord.class))
                .name(job + ": verify control").uid(job + "-verify-control");
        return new TrustedControl(trusted, decoded.getSideOutput(DeadLetters.TAG).union(trusted.getSideOutput(DeadLetters.TAG)));
    }

    public static OffsetsInitializer startingOffsets(JobConfig config) {
        return switch (config.get("start")) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> throw new IllegalArgumentException("start must be earliest, latest or committed");
        };
    }

    /** Decodes a topic's records; undecodable ones leave through the DeadLetters side output. */
    public static <T extends SpecificRecord> SingleOutputStreamOperator<T> decode(DataStream<RawRecord> raw, Class<T> type, String stage) {
        return raw.process(new DecodeOrDeadLetter<>(AvroCodec.of(type), stage), TypeInformation.of(type))
                .name(stage + ": decode " + type.getSimpleName())
                .uid(stage + "-decode-" + type.getSimpleName());
    }

    public static void sinkDeadLetters(DataStream<DeadLetter> deadLetters, JobConfig config, String job) {
        deadLetters.sinkTo(KafkaConnectors.sink(config.kafka(), Topic.DEADLETTER, DeadLetter.class, DeadLetter::getSourceTopic))
                .name(job + ": dead letters").uid(job + "-deadletter-sink");
    }
}
