package io.x0tta6bl4.connectors.elasticsearch;

import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.json.JsonData;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends documents in bulk and sorts the outcome: stored, worth retrying (Elasticsearch busy or away), or
 * refused for good (e.g. a mapping conflict). Index templates are put before the first bulk.
 */
final class BulkIndexer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkIndexer.class);

    /** What happened to one bulk request. */
    record Outcome(List<IndexDocument> retry, List<Rejected> rejected, int stored) {}

    /** A document Elasticsearch refused permanently, with its reason. */
    record Rejected(IndexDocument document, String reason) {}

    private final ElasticsearchSettings settings;
    private ElasticsearchClients.Handle handle;
    private boolean templatesReady;

    BulkIndexer(ElasticsearchSettings settings) {
        this.settings = settings;
    }

    Outcome send(List<IndexDocument> documents) {
        try {
            if (handle == null) {
                handle = ElasticsearchClients.open(settings);
            }
            if (!templatesReady) {
                ElasticsearchClients.ensureTemplates(handle.client(), settings);
                templatesReady = true;
            }
            BulkRequest.Builder bulk = new BulkRequest.Builder();
            for (IndexDocument doc : documents) {
                JsonData body = JsonData.from(handle.client()._jsonpMapper().jsonProvider()
                        .createParser(new StringReader(doc.json)), handle.client()._jsonpMapper());
                bulk.operations(op -> op.index(i -> i.index(doc.index).id(doc.id).document(body)));
            }
            BulkResponse response = handle.client().bulk(bulk.build());
            List<IndexDocument> retry = new ArrayList<>();
            List<Rejected> rejected = new ArrayList<>();
            int stored = 0;
            List<BulkResponseItem> items = response.items();
            for (int i = 0; i < items.size(); i++) {
                BulkResponseItem item = items.get(i);
                if (item.error() == null) {
                    stored++;
                } else if (item.status() == 429 || item.status() >= 500) {
                    retry.add(documents.get(i));
                } else {
                    rejected.add(new Rejected(documents.get(i), item.status() + " " + item.error().type() + ": " + item.error().reason()));
                }
            }
            return new Outcome(retry, rejected, stored);
        } catch (IOException | RuntimeException e) {
            // Connection refused, timeouts, 5xx on the whole request: everything is retried.
            LOG.warn("Elasticsearch bulk of {} documents failed ({}); will retry", documents.size(), e.toString());
            closeQuietly();
            return new Outcome(documents, List.of(), 0);
        }
    }

    private void closeQuietly() {
        if (handle != null) {
            try {
                handle.close();
            } catch (IOException ignored) {
                // the connection is being discarded anyway
            }
            handle = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
