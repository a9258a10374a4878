package io.tickwire.gateway.demo;

import io.tickwire.gateway.bus.EventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo feed: a simulated market that publishes through an {@link EventBus} as the platform's own
 * services would.
 *
 * <ul>
 *   <li>{@code price:<SYM>}: the instrument's full quote, about {@code updatesPerSecond} times a second
 *       per symbol, {@code {"symbol","bid","ask","last","volume","seq_no"}}, no {@code msg_id};
 *   <li>{@code trades:<SYM>}: trade prints, a Poisson stream of {@link Pacing#tradesPerSecond()} per
 *       symbol, {@code {"symbol","price","size","side","trade_id","seq_no"}}, {@code msg_id}
 *       {@code trade-<trade_id>};
 *   <li>{@code account:1} … {@code account:<accounts>}: every {@link Pacing#minFillInterval()} to
 *       {@link Pacing#maxFillInterval()} a fill {@code {"type":"fill","order_id","symbol","side","qty",
 *       "price","seq_no"}} ({@code msg_id} {@code fill-<order_id>}) and then the balance it leaves
 *       {@code {"type":"balance","cash","equity","seq_no"}} ({@code msg_id} {@code balance-<order_id>}).
 * </ul>
 *
 * <p>Money has exactly two decimals. {@code seq_no} is the simulator's own counter per room (1, 2, 3…),
 * independent of the bus's {@code seq}, so tests and clients can count what they received.
 *
 * <p>One task at a fixed rate ({@link #TICK}) drives every room; each tick publishes what the elapsed
 * time owes, so the average rates hold whatever the scheduler's jitter. A tick late by more than
 * {@link #MAX_CATCH_UP} drops the backlog instead of publishing it in a burst. The executor belongs to
 * the caller; one thread is enough. A failed publish is logged at debug and forgotten: this is a demo
 * feed, and the next update supersedes it.
 */
public final class MarketSimulator {

    /** How often the tick task runs. */
    public static final Duration TICK = Duration.ofMillis(20);
    /** The longest stretch of elapsed time one tick catches up on. */
    public static final Duration MAX_CATCH_UP = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(MarketSimulator.class);
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * How often trades print and accounts fill.
     *
     * @param tradesPerSecond average trade prints per symbol per second (0 for none); default 1
     * @param minFillInterval shortest time between two fills of one account; default 1 s
     * @param maxFillInterval longest time between two fills of one account; default 3 s
     */
    public record Pacing(double tradesPerSecond, Duration minFillInterval, Duration maxFillInterval) {

        public static final Pacing DEFAULT = new Pacing(1.0, Duration.ofSeconds(1), Duration.ofSeconds(3));

        public Pacing {
            if (!(tradesPerSecond >= 0) || Double.isInfinite(tradesPerSecond)) {
                throw new IllegalArgumentException("tradesPerSecond must be finite and >= 0: " + tradesPerSecond);
            }
            Objects.requireNonNull(minFillInterval, "minFillInterval");
            Objects.requireNonNull(maxFillInterval, "maxFillInterval");
            if (minFillInterval.isNegative() || minFillInterval.isZero()) {
                throw new IllegalArgumentException("minFillInterval must be positive: " + minFillInterval);
            }
            if (maxFillInterval.compareTo(minFillInterval) < 0) {
                throw new IllegalArgumentException(
                        "maxFillInterval must be >= minFillInterval: " + maxFillInterval + " < " + minFillInterval);
            }
        }
    }

    private final EventBus bus;
    private final ScheduledExecutorService executor;
    private final RandomGenerator random;
    private final double updatesPerSecond;
    private final Pacing pacing;
    private final List<String> symbols;
    private final List<SimulatedInstrument> instruments;
    private final List<SimulatedAccount> accounts;
    /** Makes ids (and so msg_ids) unique across simulators fed into the same bus. */
    private final String runId = Long.toString(System.currentTimeMillis(), 36);

    // guarded by this; the tick holds the lock, which is how stop() waits for an in-flight tick
    private ScheduledFuture<?> task;
    private boolean started;
    private boolean stopped;
    private long lastTickNanos;
    private long tradeCount;
    private long orderCount;

    /** A simulator with {@link Pacing#DEFAULT}. See the other constructor. */
    public MarketSimulator(
            EventBus bus,
            List<String> symbols,
            double updatesPerSecond,
            int accounts,
            ScheduledExecutorService executor,
            RandomGenerator random) {
        this(bus, symbols, updatesPerSecond, accounts, executor, random, Pacing.DEFAULT);
    }

    /**
     * @param bus where to publish
     * @param symbols the instruments, at least one, distinct, each a valid room key
     *     ({@code [A-Za-z0-9._-]{1,64}})
     * @param updatesPerSecond average price updates per symbol per second, positive
     * @param accounts how many accounts ({@code account:1} … {@code account:<accounts>}), 0 or more
     * @param executor runs the tick task; owned by the caller
     * @param random the source of all randomness (seed it for reproducible prices); used on the tick
     *     thread only once started
     * @param pacing trade and fill rates
     */
    public MarketSimulator(
            EventBus bus,
            List<String> symbols,
            double updatesPerSecond,
            int accounts,
            ScheduledExecutorService executor,
            RandomGenerator random,
            Pacing pacing) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.random = Objects.requireNonNull(random, "random");
        this.pacing = Objects.requireNonNull(pacing, "pacing");
        this.symbols = List.copyOf(Objects.requireNonNull(symbols, "symbols"));
        if (this.symbols.isEmpty()) {
            throw new IllegalArgumentException("symbols must not be empty");
        }
        if (new HashSet<>(this.symbols).size() != this.symbols.size()) {
            throw new IllegalArgumentException("symbols must be distinct: " + this.symbols);
        }
        for (String symbol : this.symbols) {
            if (!SYMBOL.matcher(symbol).matches()) {
                throw new IllegalArgumentException("symbols: not a valid room key: '" + symbol + "'");
            }
        }
        if (!(updatesPerSecond > 0) || Double.isInfinite(updatesPerSecond)) {
            throw new IllegalArgumentException("updatesPerSecond must be finite and > 0: " + updatesPerSecond);
        }
        if (accounts < 0) {
            throw new IllegalArgumentException("accounts must be >= 0: " + accounts);
        }
        this.updatesPerSecond = updatesPerSecond;

        List<SimulatedInstrument> instrumentList = new ArrayList<>(this.symbols.size());
        for (String symbol : this.symbols) {
            instrumentList.add(new SimulatedInstrument(symbol, random));
        }
        this.instruments = List.copyOf(instrumentList);
        List<SimulatedAccount> accountList = new ArrayList<>(accounts);
        for (int id = 1; id <= accounts; id++) {
            accountList.add(new SimulatedAccount(id, this.instruments));
        }
        this.accounts = List.copyOf(accountList);
    }

    /** The simulated symbols, in the order given. */
    public List<String> symbols() {
        return symbols;
    }

    /**
     * Starts publishing on the executor.
     *
     * @throws IllegalStateException if already started (a stopped simulator does not restart)
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("market simulator already started");
        }
        started = true;
        long now = System.nanoTime();
        lastTickNanos = now;
        for (SimulatedInstrument instrument : instruments) {
            instrument.updateBudget = random.nextDouble(); // a random phase, so symbols do not tick in step
            instrument.nextTradeAtNanos = now + nextTradeDelayNanos();
        }
        for (SimulatedAccount account : accounts) {
            account.nextFillAtNanos = now + nextFillDelayNanos();
        }
        long tickNanos = TICK.toNanos();
        task = executor.scheduleAtFixedRate(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        log.info(
                "market simulator started: {} symbols at {}/s each, {} accounts",
                symbols.size(), updatesPerSecond, accounts.size());
    }

    /**
     * Stops publishing: cancels the tick task and waits for a tick in progress, so nothing is published
     * after this returns. Idempotent; does not shut down the executor.
     */
    public void stop() {
        ScheduledFuture<?> toCancel;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            toCancel = task;
        }
        if (toCancel != null) {
            toCancel.cancel(false);
            log.info("market simulator stopped");
        }
    }

    private synchronized void tick() {
        if (stopped) {
            return;
        }
        try {
            long now = System.nanoTime();
            long elapsed = Math.min(now - lastTickNanos, MAX_CATCH_UP.toNanos());
            lastTickNanos = now;
            double owed = updatesPerSecond * elapsed / 1e9;
            for (SimulatedInstrument instrument : instruments) {
                instrument.updateBudget += owed;
                while (instrument.updateBudget >= 1) {
                    instrument.updateBudget -= 1;
                    publish(instrument.priceRoom(), instrument.nextPrice(random), null);
                }
                instrument.nextTradeAtNanos = skipBacklog(instrument.nextTradeAtNanos, now);
                while (now - instrument.nextTradeAtNanos >= 0) { // overflow-safe, as nanoTime wants
                    String tradeId = "T-" + runId + "-" + ++tradeCount;
                    publish(instrument.tradesRoom(), instrument.nextTrade(random, tradeId), "trade-" + tradeId);
                    instrument.nextTradeAtNanos += nextTradeDelayNanos();
                }
            }
            for (SimulatedAccount account : accounts) {
                account.nextFillAtNanos = skipBacklog(account.nextFillAtNanos, now);
                while (now - account.nextFillAtNanos >= 0) {
                    SimulatedAccount.Fill fill = account.nextFill(random, "O-" + runId + "-" + ++orderCount);
                    publish(account.room(), fill.fillJson(), "fill-" + fill.orderId());
                    publish(account.room(), fill.balanceJson(), "balance-" + fill.orderId());
                    account.nextFillAtNanos += nextFillDelayNanos();
                }
            }
        } catch (RuntimeException e) {
            // an exception escaping a periodic task would silently cancel it
            log.warn("market simulator tick failed", e);
        }
    }

    private static long skipBacklog(long dueNanos, long now) {
        return now - dueNanos > MAX_CATCH_UP.toNanos() ? now : dueNanos;
    }

    private long nextTradeDelayNanos() {
        if (pacing.tradesPerSecond() == 0) {
            return Long.MAX_VALUE / 4; // never, without overflowing now + delay
        }
        return Math.max(1, (long) (random.nextExponential() / pacing.tradesPerSecond() * 1e9));
    }

    private long nextFillDelayNanos() {
        long min = pacing.minFillInterval().toNanos();
        long max = pacing.maxFillInterval().toNanos();
        return min == max ? min : random.nextLong(min, max + 1);
    }

    private void publish(String room, byte[] data, String msgId) {
        CompletionStage<EventBus.PublishResult> result;
        try {
            result = bus.publish(room, data, msgId);
        } catch (RuntimeException e) {
            log.debug("demo publish to {} failed: {}", room, e.toString());
            return;
        }
        result.whenComplete((published, error) -> {
            if (error != null) {
                log.debug("demo publish to {} failed: {}", room, error.toString());
            }
        });
    }
}
