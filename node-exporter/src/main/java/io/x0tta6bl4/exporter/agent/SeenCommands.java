package io.x0tta6bl4.exporter.agent;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The replay ledger: command ids this agent has already accepted, kept until the command would have expired
 * anyway (an expired command is refused on its own). With a file, the ledger survives an agent restart:
 * one line per accepted id, appended and flushed before the action runs, compacted at start-up.
 */
public final class SeenCommands implements AutoCloseable {
    private final Map<String, Long> expiresAtById = new HashMap<>();
    private BufferedWriter writer;

    private SeenCommands() {}

    public static SeenCommands inMemory() {
        return new SeenCommands();
    }

    /** A ledger backed by a file; entries already expired at {@code nowMs} are dropped while loading. */
    public static SeenCommands persistent(Path file, long nowMs) throws IOException {
        SeenCommands seen = new SeenCommands();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length == 2 && Long.parseLong(f[1]) > nowMs) {
                    seen.expiresAtById.put(f[0], Long.parseLong(f[1]));
                }
            }
        } else if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        StringBuilder compacted = new StringBuilder();
        seen.expiresAtById.forEach((id, exp) -> compacted.append(id).append(' ').append(exp).append('\n'));
        Files.writeString(file, compacted, StandardCharsets.UTF_8);
        seen.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return seen;
    }

    /** Records an id; false if it was seen before (a replay). Durable before it returns. */
    public synchronized boolean markIfNew(String commandId, long expiresAtMs, long nowMs) throws IOException {
        purge(nowMs);
        if (expiresAtById.containsKey(commandId)) {
            return false;
        }
        expiresAtById.put(commandId, expiresAtMs);
        if (writer != null) {
            writer.write(commandId + " " + expiresAtMs + "\n");
            writer.flush();
        }
        return true;
    }

    public synchronized int size() {
        return expiresAtById.size();
    }

    private void purge(long nowMs) {
        Iterator<Map.Entry<String, Long>> it = expiresAtById.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() <= nowMs) {
                it.remove();
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
