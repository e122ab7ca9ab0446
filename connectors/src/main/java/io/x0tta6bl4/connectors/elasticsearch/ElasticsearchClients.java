package io.x0tta6bl4.connectors.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/** Builds the Java API client and creates the index templates every x0 index is made from. */
public final class ElasticsearchClients {
    private ElasticsearchClients() {}

    /** A client and the transport it must be closed with. */
    public record Handle(ElasticsearchClient client, RestClientTransport transport) implements Closeable {
        @Override
        public void close() throws IOException {
            transport.close();
        }
    }

    public static Handle open(ElasticsearchSettings settings) {
        RestClient rest = RestClient.builder(HttpHost.create(settings.url()))
                .setRequestConfigCallback(c -> c.setConnectTimeout(2_000).setSocketTimeout(30_000))
                .build();
        RestClientTransport transport = new RestClientTransport(rest, new JacksonJsonpMapper());
        return new Handle(new ElasticsearchClient(transport), transport);
    }

    /**
     * One template for all x0 indexes: strings are keywords (exact match, aggregations), {@code *Time}
     * fields are dates, {@code @timestamp} is the time field Kibana picks.
     */
    public static void ensureTemplates(ElasticsearchClient client, ElasticsearchSettings settings) throws IOException {
        String pattern = settings.indexPrefix() + "x0-*";
        String json = """
                {
                  "index_patterns": ["%s"],
                  "priority": 100,
                  "template": {
                    "settings": {"number_of_shards": 1, "number_of_replicas": %d, "refresh_interval": "1s"},
                    "mappings": {
                      "dynamic_templates": [
                        {"times": {"match": "*Time", "mapping": {"type": "date"}}},
                        {"millis": {"match": "*Ms", "mapping": {"type": "long"}}},
                        {"strings": {"match_mapping_type": "string", "mapping": {"type": "keyword", "ignore_above": 1024}}}
                      ],
                      "properties": {
                        "@timestamp": {"type": "date"},
                        "score": {"type": "double"},
                        "severity": {"type": "double"}
                      }
                    }
                  }
                }
                """.formatted(pattern, settings.replicas());
        client.indices().putIndexTemplate(b -> b.name(settings.indexPrefix() + "x0").withJson(new StringReader(json)));
    }
}
