package io.x0tta6bl4.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka 4.2 broker (combined KRaft broker and controller, {@code kafka.Kafka}) in a child JVM on
 * loopback, from the Kafka jars on this JVM's class path. Storage is formatted on first start; the log goes
 * to {@code <dataDir>/broker.log}. Closing sends SIGTERM and waits for a clean shutdown.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Process process;
    private final String bootstrapServers;
    private final Path logFile;

    private KafkaBroker(Process process, String bootstrapServers, Path logFile) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.logFile = logFile;
    }

    /** Formats (if new) and starts a broker; {@code port} 0 picks free ports. Returns once it serves. */
    public static KafkaBroker start(Path dataDir, int port, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path logDirs = dataDir.resolve("data");
        Path props = dataDir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + logDirs,
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                ""), StandardCharsets.UTF_8);
        Path log4j = dataDir.resolve("log4j2.properties");
        Path logFile = dataDir.resolve("broker.log");
        Files.writeString(log4j, String.join("\n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.file.ref=file",
                "appender.file.type=File",
                "appender.file.name=file",
                "appender.file.fileName=" + logFile,
                "appender.file.layout.type=PatternLayout",
                "appender.file.layout.pattern=[%d] %p %m (%c)%n",
                ""), StandardCharsets.UTF_8);

        if (!Files.exists(logDirs.resolve("meta.properties"))) {
            Process format = javaProcess(log4j, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", props.toString())
                    .redirectOutput(dataDir.resolve("format.log").toFile()).redirectErrorStream(true).start();
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IOException("formatting Kafka storage failed; see " + dataDir.resolve("format.log"));
            }
        }
        Process broker = javaProcess(log4j, "kafka.Kafka", props.toString())
                .redirectOutput(dataDir.resolve("broker.out").toFile()).redirectErrorStream(true).start();
        KafkaBroker kafka = new KafkaBroker(broker, "127.0.0.1:" + brokerPort, logFile);
        kafka.awaitStarted(timeout);
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    private void awaitStarted(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Kafka broker exited with " + process.exitValue() + "; see " + logFile);
            }
            if (Files.exists(logFile) && Files.readString(logFile).contains("Kafka Server started")) {
                return;
            }
            Thread.sleep(100); // polling a child process's log for readiness
        }
        close();
        throw new IOException("Kafka broker not started within " + timeout + "; see " + logFile);
    }

    private static ProcessBuilder javaProcess(Path log4j, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms256m");
        cmd.add("-Xmx768m");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-Dlog4j2.configurationFile=" + log4j);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /**
     * A KRaft cluster id: 16 random bytes, base64url without padding (what StorageTool random-uuid prints). Never one
     * starting with '-' (1 in 64 would): the storage tool's argument parser takes it for an option and formatting fails.
     */
    static String clusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (id.charAt(0) != '-') {
                return id;
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
