package io.tickwire.nats;

import io.tickwire.gateway.bus.EventBus;
import io.tickwire.gateway.bus.EventBusProvider;
import io.tickwire.gateway.config.GatewayConfig;
import java.time.Duration;

/** {@code bus.type: nats}: a {@link NatsEventBus} from {@code bus.nats.*}, the room kinds and the event size limit. */
public final class NatsEventBusProvider implements EventBusProvider {

    @Override
    public String type() {
        return "nats";
    }

    @Override
    public EventBus create(GatewayConfig config) {
        GatewayConfig.Nats nats = config.bus().nats();
        return new NatsEventBus(new NatsBusSettings(nats.urls(), nats.subjectPrefix(), nats.streamPrefix(),
                config.rooms().kinds(), config.bus().dedupWindowSeconds(), config.rooms().maxEventBytes(),
                nats.historyConcurrency(), nats.historyQueue(), Duration.ofMillis(nats.requestTimeoutMs()),
                nats.warmupEvents()));
    }
}
