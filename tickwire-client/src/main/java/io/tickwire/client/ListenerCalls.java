package io.tickwire.client;

/** Calls application code: an exception it throws is logged and does not disturb the client. */
final class ListenerCalls {

    private static final System.Logger log = System.getLogger(TickwireClient.class.getName());

    private ListenerCalls() {}

    static void call(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "tickwire listener threw", e);
        }
    }
}
