package io.x0tta6bl4.connectors.elasticsearch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers documents and bulk-indexes them when the buffer is full, on a timer, and on every checkpoint.
 * A flush returns only when every buffered document is stored or, if Elasticsearch refused it for good,
 * stored in the dead-letter index with the reason: nothing is dropped silently.
 */
final class ElasticsearchSinkWriter implements SinkWriter<IndexDocument> {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);

    private final ElasticsearchSettings settings;
    private final BulkIndexer indexer;
    private final ProcessingTimeService timers;
    private List<IndexDocument> buffer = new ArrayList<>();
    private long bufferedBytes;
    private long storedTotal;
    private long rejectedTotal;

    ElasticsearchSinkWriter(ElasticsearchSettings settings, BulkIndexer indexer, ProcessingTimeService timers) {
        this.settings = settings;
        this.indexer = indexer;
        this.timers = timers;
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (timers != null) {
            timers.registerTimer(timers.getCurrentProcessingTime() + settings.flushIntervalMs(), time -> {
                flushBuffer();
                scheduleFlush();
            });
        }
    }

    @Override
    public void write(IndexDocument document, Context context) throws IOException, InterruptedException {
        buffer.add(document);
        bufferedBytes += document.json.length();
        if (buffer.size() >= settings.maxActions() || bufferedBytes >= settings.maxBufferedBytes()) {
            flushBuffer();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        flushBuffer();
    }

    long storedTotal() {
        return storedTotal;
    }

    long rejectedTotal() {
        return rejectedTotal;
    }

    private void flushBuffer() throws InterruptedIOException {
        List<IndexDocument> pending = buffer;
        buffer = new ArrayList<>();
        bufferedBytes = 0;
        long backoff = settings.initialBackoffMs();
        while (!pending.isEmpty()) {
            BulkIndexer.Outcome outcome = indexer.send(pending);
            storedTotal += outcome.stored();
            List<IndexDocument> next = new ArrayList<>(outcome.retry());
            for (BulkIndexer.Rejected rejected : outcome.rejected()) {
                rejectedTotal++;
                if (rejected.document().index.equals(settings.index("deadletter"))) {
                    LOG.error("Elasticsearch refused dead-letter document {}: {}", rejected.document(), rejected.reason());
                } else {
                    next.add(asDeadLetter(rejected));
                }
            }
            if (!outcome.retry().isEmpty()) {
                sleep(backoff);
                backoff = Math.min(backoff * 2, settings.maxBackoffMs());
            }
            pending = next;
        }
    }

    private IndexDocument asDeadLetter(BulkIndexer.Rejected rejected) {
        ObjectNode doc = AvroJson.MAPPER.createObjectNode();
        doc.put("@timestamp", Instant.now().toString());
        doc.put("stage", "elasticsearch-sink");
        doc.put("sourceIndex", rejected.document().index);
        doc.put("sourceId", rejected.document().id);
        doc.put("reason", rejected.reason());
        doc.put("payload", rejected.document().json);
        return new IndexDocument(settings.index("deadletter"), "es-" + rejected.document().index + "-" + rejected.document().id,
                AvroJson.toString(doc));
    }

    private static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry Elasticsearch");
        }
    }

    @Override
    public void close() {
        indexer.close();
    }
}
