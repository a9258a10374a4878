package io.tickwire.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What a test client received, as parsed JSON, and the ways tests wait for it. */
public abstract class ReceivedMessages {

    protected final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();

    /** Said when a wait fails, e.g. " (closed 4008)"; empty while open. */
    protected abstract String closeNote();

    /** The next message, or fails after {@code timeout}. */
    public JsonNode next(Duration timeout) {
        try {
            JsonNode n = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (n == null) {
                throw new AssertionError("no message within " + timeout + closeNote());
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public JsonNode next() {
        return next(Duration.ofSeconds(10));
    }

    /** The next message matching {@code p}, skipping others. */
    public JsonNode next(Predicate<JsonNode> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching message within " + timeout + closeNote());
            }
            JsonNode n = next(Duration.ofNanos(left));
            if (p.test(n)) {
                return n;
            }
        }
    }

    /** The next message of {@code type}, skipping others. */
    public JsonNode nextOfType(String type) {
        return next(n -> type.equals(n.path("type").asText()), Duration.ofSeconds(10));
    }

    /** Whatever arrives until {@code quiet} passes without a message. */
    public List<JsonNode> drain(Duration quiet) {
        List<JsonNode> out = new ArrayList<>();
        try {
            JsonNode n;
            while ((n = messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                out.add(n);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
