package io.tickwire.gateway.http;

/**
 * Whether the node takes new connections ({@code GET /health/ready}: 200 or 503), and why, as the reply's JSON:
 * {@code {"status":"ready","bus":"ok","coordination":"ok"}}. A load balancer reads the status; an operator the rest.
 */
public interface Readiness {

    boolean ready();

    /** Whether the node is ready and why, read once: the reply's status and its JSON object agree. */
    Report report();

    /** {@code ready} and the JSON object of {@code /health/ready}'s reply. */
    record Report(boolean ready, String json) {}
}
