package io.x0tta6bl4.connectors.elasticsearch;

import java.util.Objects;

/**
 * One document bound for Elasticsearch. The id is deterministic (derived from the record's own ids), so a
 * replay after a failure overwrites the same document instead of adding a duplicate. A Flink POJO.
 */
public class IndexDocument {
    public String index;
    public String id;
    public String json;

    public IndexDocument() {}

    public IndexDocument(String index, String id, String json) {
        this.index = Objects.requireNonNull(index, "index");
        this.id = Objects.requireNonNull(id, "id");
        this.json = Objects.requireNonNull(json, "json");
    }

    @Override
    public String toString() {
        return index + "/" + id;
    }
}
