package io.tickwire.protocol;

import java.util.Locale;

/** The {@code code} of an {@code error} message (contract §3). */
public enum ErrorCode {
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    ALREADY_SUBSCRIBED,
    RATE_LIMITED,
    LIMIT_EXCEEDED,
    INTERNAL;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The code as written on the wire, e.g. {@code already_subscribed}. */
    public String wire() {
        return wire;
    }
}
