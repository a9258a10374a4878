package io.tickwire.gateway.demo;

import io.tickwire.protocol.JsonWriter;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One simulated trading account: cash, a position per instrument, and the publisher's counter for its
 * {@code account:<id>} room. Each fill is a market order executed at the current quote, followed by the
 * balance it leaves: cash moves by exactly quantity × price, equity marks every position at the mid.
 * Confined to the simulator's tick; not thread-safe.
 */
final class SimulatedAccount {

    private static final long STARTING_CASH_CENTS = 100_000_000; // 1,000,000.00

    private final String room;
    private final List<SimulatedInstrument> instruments;
    private final long[] positions;
    private long cashCents = STARTING_CASH_CENTS;
    private long seqNo;

    /** {@link System#nanoTime()} of the next fill. */
    long nextFillAtNanos;

    SimulatedAccount(int id, List<SimulatedInstrument> instruments) {
        this.room = "account:" + id;
        this.instruments = instruments;
        this.positions = new long[instruments.size()];
    }

    String room() {
        return room;
    }

    /** The two messages of one fill, in publishing order. */
    record Fill(String orderId, byte[] fillJson, byte[] balanceJson) {}

    Fill nextFill(RandomGenerator random, String orderId) {
        int index = random.nextInt(instruments.size());
        SimulatedInstrument instrument = instruments.get(index);
        boolean buy = random.nextBoolean();
        long qty = 10L * random.nextInt(1, 11);
        long priceCents = buy ? instrument.askCents() : instrument.bidCents();
        positions[index] += buy ? qty : -qty;
        cashCents += buy ? -qty * priceCents : qty * priceCents;

        byte[] fill = new JsonWriter(160).beginObject()
                .field("type", "fill")
                .field("order_id", orderId)
                .field("symbol", instrument.symbol())
                .field("side", buy ? "buy" : "sell")
                .field("qty", qty)
                .rawField("price", Cents.json(priceCents))
                .field("seq_no", ++seqNo)
                .endObject().toByteArray();
        byte[] balance = new JsonWriter(160).beginObject()
                .field("type", "balance")
                .rawField("cash", Cents.json(cashCents))
                .rawField("equity", Cents.json(equityCents()))
                .field("seq_no", ++seqNo)
                .endObject().toByteArray();
        return new Fill(orderId, fill, balance);
    }

    private long equityCents() {
        long equity = cashCents;
        for (int i = 0; i < positions.length; i++) {
            equity += positions[i] * instruments.get(i).midCents();
        }
        return equity;
    }
}
