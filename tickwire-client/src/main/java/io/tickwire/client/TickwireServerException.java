package io.tickwire.client;

/** An {@code error} from the gateway answering an operation, e.g. {@code forbidden} for a room the token does not grant. */
public final class TickwireServerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    public TickwireServerException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    /** The contract's error code: {@code bad_request}, {@code forbidden}, {@code not_found}, ... */
    public String code() {
        return code;
    }
}
