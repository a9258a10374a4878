package io.tickwire.gateway.http;

/**
 * Whether the node takes new connections ({@code GET /health/ready}: 200 or 503), and why, as the reply's JSON:
 * {@code {"status":"ready","bus":"ok","coordination":"ok"}}. A load balancer reads the status; an operator the rest.
 */
public interface Readiness {

    boolean ready();

    /** The reply's JSON object, consistent with {@link #ready()} at the time of the call. */
    String json();
}
