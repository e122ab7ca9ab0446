package io.x0tta6bl4.connectors.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.x0tta6bl4.embedded.EmbeddedElasticsearch;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The Elasticsearch sink against a real Elasticsearch node. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ElasticsearchSinkITCase {
    @TempDir
    static Path home;
    static EmbeddedElasticsearch es;
    static ElasticsearchSettings settings;

    @AfterAll
    static void stop() throws Exception {
        if (es != null) {
            es.close();
        }
    }

    static List<IndexDocument> docs(String index, int n) {
        List<IndexDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new IndexDocument(index, "doc-" + i, "{\"@timestamp\":\"2026-11-28T00:00:00Z\",\"nodeId\":\"n" + (i % 3) + "\",\"value\":" + i + "}"));
        }
        return docs;
    }

    static long count(String index) throws Exception {
        try (ElasticsearchClients.Handle h = ElasticsearchClients.open(settings)) {
            ElasticsearchClient client = h.client();
            client.indices().refresh(r -> r.index(index));
            return client.count(c -> c.index(index)).count();
        }
    }

    @Test
    @Order(1)
    void documentsWrittenWhileElasticsearchIsAwayArriveOnceItIsBack() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        settings = ElasticsearchSettings.builder("http://127.0.0.1:" + port)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
        ElasticsearchSinkWriter writer = new ElasticsearchSinkWriter(settings, new BulkIndexer(settings), null);
        for (IndexDocument doc : docs("x0-away", 25)) {
            writer.write(doc, null);
        }
        // The flush (what a checkpoint does) must not return before the documents are stored.
        CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> {
            try {
                writer.flush(false);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(flush).isNotDone();
        es = EmbeddedElasticsearch.start(home, port);
        flush.get(60, TimeUnit.SECONDS);
        writer.close();
        assertThat(writer.storedTotal()).isEqualTo(25);
        assertThat(count("x0-away")).isEqualTo(25);
    }

    @Test
    @Order(2)
    void flinkJobIndexesWithDeterministicIdsSoReplaysOverwrite() throws Exception {
        for (int run = 0; run < 2; run++) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            env.fromData(docs("x0-replay", 100)).sinkTo(new ElasticsearchSink(settings));
            env.execute("es-sink-it");
        }
        assertThat(count("x0-replay")).isEqualTo(100);
    }

    @Test
    @Order(3)
    void documentsElasticsearchRefusesGoToTheDeadLetterIndexWithTheReason() throws Exception {
        ElasticsearchSinkWriter writer = new ElasticsearchSinkWriter(settings, new BulkIndexer(settings), null);
        writer.write(new IndexDocument("x0-typed", "ok", "{\"@timestamp\":\"2026-11-28T00:00:00Z\",\"score\":1.5}"), null);
        writer.flush(false);
        // "score" is mapped as a double by the template: a string that is no number is refused for good.
        writer.write(new IndexDocument("x0-typed", "bad", "{\"@timestamp\":\"2026-11-28T00:00:00Z\",\"score\":\"not a number\"}"), null);
        writer.flush(false);
        writer.close();
        assertThat(writer.rejectedTotal()).isEqualTo(1);
        assertThat(count("x0-deadletter")).isEqualTo(1);
    }
}
