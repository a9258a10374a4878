package io.tickwire.gateway.bus;

/** The bus cannot take or serve events right now; the caller may retry later. */
public class BusUnavailableException extends RuntimeException {
    public BusUnavailableException(String message) {
        super(message);
    }
}
