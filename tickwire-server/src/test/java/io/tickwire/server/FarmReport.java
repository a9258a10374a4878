package io.tickwire.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The farm tests' record: one line per test in {@code target/farm-report.txt} with what was published and received,
 * what was lost or doubled, and the times measured, for the closing note of a farm run.
 *
 * <p>Why these tests live in {@code tickwire-server}: that module is the product (the gateway with the NATS JetStream
 * bus and the Redis coordination, shaded into {@code tickwire.jar}), so its test class path is the product's class
 * path. The tests run what production runs: gateway nodes as separate JVMs ({@link GatewayProcess}), a real
 * {@code nats-server} and a real {@code redis-server} (from {@code tickwire-test-support}), and the real Java client,
 * and they break them the way production breaks: {@code kill -9} of a node, NATS or Redis stopped and restarted.
 */
final class FarmReport {

    static final Path FILE = Paths.get("target", "farm-report.txt");

    private FarmReport() {}

    /** Appends {@code test: k=v k=v ...} (in the map's order) with the time. */
    static synchronized void append(String test, Map<String, ?> fields) {
        String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + test + ": "
                + fields.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "))
                + "\n";
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.print("farm-report " + line);
    }
}
