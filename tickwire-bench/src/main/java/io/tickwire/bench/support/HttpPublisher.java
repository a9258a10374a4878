package io.tickwire.bench.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes at a steady total rate through {@code POST /api/v1/publish}: one request in flight, a tick every
 * 10 ms carrying every event due by then in one batch, so a slow reply makes the next batch bigger rather
 * than the rate lower. Event k goes to room k mod R; its data carries the publisher's clock {@code t}
 * (epoch µs, taken as the batch is built) and the room's counter {@code c}. A batch the gateway refuses is
 * sent again at the next tick with the same counters, so a refused publish is not mistaken for loss. With a
 * {@code msg_id} prefix every event carries {@code msg_id} = prefix-room-counter, so that a batch sent again after
 * a timeout whose first try did reach the bus is dropped by the gateway's deduplication instead of being
 * published twice (and counted as doubled).
 */
public final class HttpPublisher {

    static final long TICK_NANOS = 10_000_000L;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI uri;
    private final String token;
    private final String[] rooms;
    private final double ratePerSecond;
    private final String pad;
    private final MeasureWindow window;
    private final String msgIdPrefix; // null: no msg_id
    private volatile boolean stopRequested;

    private final long[] published;
    private final long[] publishedInWindow;
    private long posts;
    private long failedPosts;
    private long largestBatch;
    /** Round trip of each POST, in microseconds: the publish path's share of the latency. */
    private final org.HdrHistogram.Histogram postMicros = new org.HdrHistogram.Histogram(600_000_000L, 3);

    public HttpPublisher(URI baseUri, String token, String[] rooms, double ratePerSecond, int payloadBytes,
            MeasureWindow window) {
        this(baseUri, token, rooms, ratePerSecond, payloadBytes, window, null);
    }

    /** As above, each event with {@code msg_id} {@code <msgIdPrefix>-<room index>-<counter>}. */
    public HttpPublisher(URI baseUri, String token, String[] rooms, double ratePerSecond, int payloadBytes,
            MeasureWindow window, String msgIdPrefix) {
        this.msgIdPrefix = msgIdPrefix;
        this.uri = baseUri.resolve("/api/v1/publish");
        this.token = token;
        this.rooms = rooms;
        this.ratePerSecond = ratePerSecond;
        // data is {"t":<16 digits>,"c":<counter>,"p":"<pad>"}: about 34 bytes besides the pad
        this.pad = "x".repeat(Math.max(0, payloadBytes - 34));
        this.window = window;
        this.published = new long[rooms.length];
        this.publishedInWindow = new long[rooms.length];
    }

    /** Makes {@link #run} return at its next tick. */
    public void stop() {
        stopRequested = true;
    }

    /** Publishes for {@code totalNanos}, or until {@link #stop}; returns when done. */
    public void run(long totalNanos) throws InterruptedException {
        long start = System.nanoTime();
        long sent = 0;
        int nextRoom = 0;
        for (long tick = 1; ; tick++) {
            long elapsed = System.nanoTime() - start;
            if (elapsed >= totalNanos || stopRequested) {
                return;
            }
            long due = (long) (ratePerSecond * elapsed / 1e9) - sent;
            if (due > 0) {
                long t = MicroClock.nowMicros();
                StringBuilder body = new StringBuilder((int) Math.min(Integer.MAX_VALUE, due * (pad.length() + 80)));
                body.append("{\"events\":[");
                int room = nextRoom;
                for (long i = 0; i < due; i++) {
                    if (i > 0) {
                        body.append(',');
                    }
                    long c = published[room] + i / rooms.length + 1; // rooms cycle: i/R earlier in this batch
                    body.append("{\"room\":\"").append(rooms[room]).append("\",\"data\":{\"t\":").append(t)
                            .append(",\"c\":").append(c)
                            .append(",\"p\":\"").append(pad).append("\"}");
                    if (msgIdPrefix != null) {
                        body.append(",\"msg_id\":\"").append(msgIdPrefix).append('-').append(room).append('-').append(c).append('"');
                    }
                    body.append('}');
                    room = (room + 1) % rooms.length;
                }
                body.append("]}");
                if (post(body.toString())) {
                    for (long i = 0, r = nextRoom; i < due; i++, r = (r + 1) % rooms.length) {
                        published[(int) r]++;
                        if (window.contains(t)) {
                            publishedInWindow[(int) r]++;
                        }
                    }
                    nextRoom = room;
                    sent += due;
                    largestBatch = Math.max(largestBatch, due);
                }
            }
            long wake = start + tick * TICK_NANOS;
            long now = System.nanoTime();
            if (wake > now) {
                LockSupport.parkNanos(wake - now);
            } else {
                tick = (now - start) / TICK_NANOS; // fell behind: skip the missed ticks
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private boolean post(String body) throws InterruptedException {
        posts++;
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            long sentAt = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            postMicros.recordValue((System.nanoTime() - sentAt) / 1000);
            if (response.statusCode() == 200) {
                return true;
            }
            failedPosts++;
            if (failedPosts <= 5) {
                System.err.println("publish: HTTP " + response.statusCode() + " " + response.body());
            }
        } catch (java.io.IOException e) {
            failedPosts++;
            if (failedPosts <= 5) {
                System.err.println("publish: " + e);
            }
        }
        return false;
    }

    /** Events published to each room (the last counter used), by room index; read after {@link #run} returns. */
    public long[] published() {
        return published;
    }

    /** Of those, the events stamped inside the measure window. */
    public long[] publishedInWindow() {
        return publishedInWindow;
    }

    public long posts() {
        return posts;
    }

    public long failedPosts() {
        return failedPosts;
    }

    public long largestBatch() {
        return largestBatch;
    }

    public org.HdrHistogram.Histogram postMicros() {
        return postMicros;
    }
}
