package io.x0tta6bl4.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.X0EmbeddedNode;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * A real Elasticsearch 8.19 node (core modules, HTTP on loopback) inside this JVM, for tests and the local
 * stack. Licensing: the server jars are not for production artifacts, and nothing in a job jar uses them.
 * What it lacks compared to a full distribution: Painless, reindex/delete-by-query, x-pack (ILM, security).
 */
public final class EmbeddedElasticsearch implements AutoCloseable {
    private static boolean loggingConfigured;

    private final X0EmbeddedNode node;
    private final String url;

    private EmbeddedElasticsearch(X0EmbeddedNode node, String url) {
        this.node = node;
        this.url = url;
    }

    /** Starts a single-node cluster with data under {@code home}; {@code httpPort} 0 picks a free port. */
    public static EmbeddedElasticsearch start(Path home, int httpPort) {
        synchronized (EmbeddedElasticsearch.class) {
            if (!loggingConfigured) {
                LogConfigurator.loadLog4jPlugins();
                LogConfigurator.configureESLogging();
                loggingConfigured = true;
            }
        }
        try {
            Files.createDirectories(home);
            String ports = httpPort == 0 ? "19200-19399" : Integer.toString(httpPort);
            Settings settings = Settings.builder()
                    .put("path.home", home.toString())
                    .put("cluster.name", "x0tta6bl4-local")
                    .put("node.name", "x0-es")
                    .put("network.host", "127.0.0.1")
                    .put("http.port", ports)
                    .put("transport.port", "19400-19599")
                    .put("discovery.type", "single-node")
                    .put("indices.breaker.total.use_real_memory", false)
                    .put("cluster.routing.allocation.disk.threshold_enabled", false)
                    .put("action.auto_create_index", true)
                    .build();
            var environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "x0-es");
            X0EmbeddedNode node = new X0EmbeddedNode(environment, List.of(Netty4Plugin.class));
            node.start();
            var address = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
            String url = "http://127.0.0.1:" + address.getPort();
            EmbeddedElasticsearch es = new EmbeddedElasticsearch(node, url);
            es.awaitGreenOrYellow(Duration.ofSeconds(60));
            return es;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("Elasticsearch did not start: " + e.getMessage(), e);
        }
    }

    public String url() {
        return url;
    }

    private void awaitGreenOrYellow(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url + "/_cluster/health?wait_for_status=yellow&timeout=5s").toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(10_000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Elasticsearch at " + url + " not healthy within " + timeout);
            }
            Thread.sleep(100); // polling a server we started for readiness; not test synchronisation
        }
    }

    @Override
    public void close() throws Exception {
        node.close();
        node.awaitClose(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
