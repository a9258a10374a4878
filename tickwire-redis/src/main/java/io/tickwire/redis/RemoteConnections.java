package io.tickwire.redis;

/**
 * A user's connections on the other live nodes.
 *
 * @param connections the sum over the nodes that answered; 0 when unknown
 * @param known false when Redis failed or was too slow: the caller fails open (admits) and counts it
 */
public record RemoteConnections(int connections, boolean known) {

    static final RemoteConnections UNKNOWN = new RemoteConnections(0, false);
}
