package io.tickwire.gateway.demo;

import io.tickwire.protocol.JsonWriter;

import java.util.random.RandomGenerator;

/**
 * One simulated listed instrument: a random-walk mid price with a quoted spread of a few cents, the
 * last trade price and the day's volume, and the publisher's own counters for its {@code price:} and
 * {@code trades:} rooms. Prices are integer cents. Confined to the simulator's tick; not thread-safe.
 */
final class SimulatedInstrument {

    /** The mid never falls below one dollar, so the bid stays positive whatever the walk does. */
    private static final long MIN_MID_CENTS = 100;
    /** Standard deviation of one step, as a fraction of the mid (5 basis points). */
    private static final double STEP_FRACTION = 0.0005;
    private static final int MAX_SPREAD_CENTS = 4;

    private final String symbol;
    private final String priceRoom;
    private final String tradesRoom;
    private long midCents;
    private long bidCents;
    private long askCents;
    private long lastCents;
    private long volume;
    private long priceSeqNo;
    private long tradeSeqNo;

    /** Price updates owed to the walk; one is published per whole unit (see the simulator's tick). */
    double updateBudget;
    /** {@link System#nanoTime()} of the next trade print. */
    long nextTradeAtNanos;

    SimulatedInstrument(String symbol, RandomGenerator random) {
        this.symbol = symbol;
        this.priceRoom = "price:" + symbol;
        this.tradesRoom = "trades:" + symbol;
        this.midCents = random.nextLong(2_000, 50_001);
        this.lastCents = midCents;
        this.volume = random.nextLong(10_000, 1_000_000);
        requote(random);
    }

    String symbol() {
        return symbol;
    }

    String priceRoom() {
        return priceRoom;
    }

    String tradesRoom() {
        return tradesRoom;
    }

    long bidCents() {
        return bidCents;
    }

    long askCents() {
        return askCents;
    }

    long midCents() {
        return midCents;
    }

    /** Moves the mid by one Gaussian step, requotes, and returns the {@code price:} message. */
    byte[] nextPrice(RandomGenerator random) {
        double sigma = Math.max(1.0, midCents * STEP_FRACTION);
        midCents = Math.max(MIN_MID_CENTS, midCents + Math.round(random.nextGaussian() * sigma));
        requote(random);
        return new JsonWriter(160).beginObject()
                .field("symbol", symbol)
                .rawField("bid", Cents.json(bidCents))
                .rawField("ask", Cents.json(askCents))
                .rawField("last", Cents.json(lastCents))
                .field("volume", volume)
                .field("seq_no", ++priceSeqNo)
                .endObject().toByteArray();
    }

    /**
     * Prints a market trade at the current quote (a buy lifts the ask, a sell hits the bid), which moves
     * the last price and the volume, and returns the {@code trades:} message.
     */
    byte[] nextTrade(RandomGenerator random, String tradeId) {
        boolean buy = random.nextBoolean();
        long size = 100L * random.nextInt(1, 11);
        lastCents = buy ? askCents : bidCents;
        volume += size;
        return new JsonWriter(160).beginObject()
                .field("symbol", symbol)
                .rawField("price", Cents.json(lastCents))
                .field("size", size)
                .field("side", buy ? "buy" : "sell")
                .field("trade_id", tradeId)
                .field("seq_no", ++tradeSeqNo)
                .endObject().toByteArray();
    }

    private void requote(RandomGenerator random) {
        int spread = random.nextInt(1, MAX_SPREAD_CENTS + 1);
        bidCents = midCents - spread / 2;
        askCents = bidCents + spread;
    }
}
