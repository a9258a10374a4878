package io.tickwire.client;

import io.netty.channel.socket.SocketChannel;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Everything a {@link TickwireClient} was built with; immutable. Defaults are on {@link TickwireClient.Builder}. */
record ClientOptions(
        List<URI> urls,
        Supplier<? extends CompletionStage<String>> tokens,
        TokenPlacement tokenPlacement,
        Duration backoffMin,
        Duration backoffMax,
        double backoffMultiplier,
        Duration deadAfter, // null: three heartbeat intervals from welcome
        Duration connectTimeout,
        int maxMessageBytes,
        Class<? extends SocketChannel> channelType,
        StateListener stateListener) {}
