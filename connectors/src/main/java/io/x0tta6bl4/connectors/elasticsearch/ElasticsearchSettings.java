package io.x0tta6bl4.connectors.elasticsearch;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;

/**
 * Where Elasticsearch is and how the sink batches and retries. Built with {@link #builder(String)}, which
 * validates every value, so a bad setting fails at job submission instead of on the task manager.
 */
public final class ElasticsearchSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String indexPrefix;
    private final int maxActions;
    private final long maxBufferedBytes;
    private final long flushIntervalMs;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final int replicas;

    private ElasticsearchSettings(Builder b) {
        this.url = b.url;
        this.indexPrefix = b.indexPrefix;
        this.maxActions = b.maxActions;
        this.maxBufferedBytes = b.maxBufferedBytes;
        this.flushIntervalMs = b.flushInterval.toMillis();
        this.initialBackoffMs = b.initialBackoff.toMillis();
        this.maxBackoffMs = b.maxBackoff.toMillis();
        this.replicas = b.replicas;
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    public String url() { return url; }
    public String indexPrefix() { return indexPrefix; }
    public int maxActions() { return maxActions; }
    public long maxBufferedBytes() { return maxBufferedBytes; }
    public long flushIntervalMs() { return flushIntervalMs; }
    public long initialBackoffMs() { return initialBackoffMs; }
    public long maxBackoffMs() { return maxBackoffMs; }
    public int replicas() { return replicas; }

    /** The index documents of a record kind go to, e.g. "x0-incidents". */
    public String index(String kind) {
        return indexPrefix + "x0-" + kind;
    }

    public static final class Builder {
        private final String url;
        private String indexPrefix = "";
        private int maxActions = 1000;
        private long maxBufferedBytes = 5L * 1024 * 1024;
        private Duration flushInterval = Duration.ofSeconds(1);
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private int replicas = 0;

        private Builder(String url) {
            try {
                URI uri = URI.create(url);
                if (uri.getHost() == null || uri.getPort() <= 0 || !(url.startsWith("http://") || url.startsWith("https://"))) {
                    throw new IllegalArgumentException("needs http(s)://host:port");
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad Elasticsearch URL '" + url + "': " + e.getMessage(), e);
            }
            this.url = url;
        }

        public Builder indexPrefix(String prefix) {
            if (prefix == null || !prefix.equals(prefix.toLowerCase()) || prefix.contains(" ")) {
                throw new IllegalArgumentException("index prefix must be lower case without spaces: '" + prefix + "'");
            }
            this.indexPrefix = prefix;
            return this;
        }

        public Builder maxActions(int n) {
            if (n < 1) throw new IllegalArgumentException("maxActions must be >= 1");
            this.maxActions = n;
            return this;
        }

        public Builder maxBufferedBytes(long n) {
            if (n < 1024) throw new IllegalArgumentException("maxBufferedBytes must be >= 1024");
            this.maxBufferedBytes = n;
            return this;
        }

        public Builder flushInterval(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("flushInterval must be positive");
            this.flushInterval = d;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff needs 0 < initial <= max");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder replicas(int n) {
            if (n < 0) throw new IllegalArgumentException("replicas must be >= 0");
            this.replicas = n;
            return this;
        }

        public ElasticsearchSettings build() {
            return new ElasticsearchSettings(this);
        }
    }
}
