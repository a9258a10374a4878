package io.tickwire.gateway.session;

import io.tickwire.gateway.auth.TokenVerifier;
import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.cluster.Coordinator;
import io.tickwire.gateway.cluster.FarmRevocations;
import io.tickwire.gateway.config.GatewayConfig;
import io.tickwire.gateway.metrics.GatewayMetrics;
import io.tickwire.gateway.room.RoomRegistry;
import io.tickwire.protocol.ClientOpParser;

/** What every connection of a gateway shares. */
public record GatewayContext(
        GatewayConfig config,
        EventBus bus,
        RoomRegistry rooms,
        TokenVerifier tokens,
        ClientOpParser parser,
        GatewayMetrics metrics,
        SessionRegistry sessions,
        GracefulDrain drain,
        Coordinator coordinator,
        FarmRevocations revocations) {}
