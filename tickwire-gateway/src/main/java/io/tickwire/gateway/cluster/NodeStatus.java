package io.tickwire.gateway.cluster;

/** A node as the farm's registry shows it ({@code GET /api/v1/cluster}); {@code startedAt} in epoch ms. */
public record NodeStatus(String node, boolean ready, boolean draining, long connections, long subscriptions,
                         long rooms, long startedAt) {}
