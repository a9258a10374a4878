package io.tickwire.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tickwire.gateway.bus.BusEvent;
import io.tickwire.gateway.bus.InMemoryEventBus;
import io.tickwire.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the simulator against the real in-memory bus and checks what reached the bus's sink. Counts are
 * bounded loosely (the scheduler's timing is not under test); counting uses the simulator's own
 * {@code seq_no}, never the bus's {@code seq}.
 */
class MarketSimulatorTest {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "BRK.B");
    private static final double RATE = 50;
    private static final MarketSimulator.Pacing FAST =
            new MarketSimulator.Pacing(20, Duration.ofMillis(50), Duration.ofMillis(150));
    private static final BigDecimal STARTING_CASH = new BigDecimal("1000000.00");

    private ScheduledExecutorService executor;
    private final ConcurrentLinkedQueue<BusEvent> received = new ConcurrentLinkedQueue<>();
    private final List<InMemoryEventBus> buses = new ArrayList<>();

    @BeforeEach
    void setUp() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-market-simulator");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        buses.forEach(InMemoryEventBus::close);
    }

    @Test
    void publishesAConsistentFeedToEveryRoom() throws Exception {
        InMemoryEventBus bus = bus("price", "trades", "account");
        MarketSimulator simulator = new MarketSimulator(bus, SYMBOLS, RATE, 2, executor, new SplittableRandom(42), FAST);

        long began = System.nanoTime();
        simulator.start();
        Thread.sleep(1000);
        simulator.stop();
        double elapsedSeconds = (System.nanoTime() - began) / 1e9;

        Map<String, List<JsonNode>> rooms = byRoom();
        assertThat(rooms.keySet()).containsExactlyInAnyOrder(
                "price:AAPL", "price:MSFT", "price:BRK.B",
                "trades:AAPL", "trades:MSFT", "trades:BRK.B",
                "account:1", "account:2");
        rooms.forEach((room, events) -> assertThat(seqNos(events))
                .as("seq_no of %s", room)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList()));

        int prices = 0;
        for (String symbol : SYMBOLS) {
            List<JsonNode> events = rooms.get("price:" + symbol);
            assertThat(events).as("price:%s", symbol).hasSizeGreaterThan(10);
            prices += events.size();
            long volume = 0;
            for (JsonNode price : events) {
                assertThat(price.get("symbol").asText()).isEqualTo(symbol);
                BigDecimal bid = money(price, "bid");
                BigDecimal ask = money(price, "ask");
                money(price, "last");
                assertThat(bid).isLessThan(ask);
                assertThat(price.get("volume").asLong()).isPositive().isGreaterThanOrEqualTo(volume);
                volume = price.get("volume").asLong();
            }
        }
        // The rate is owed by elapsed time, so it can never run ahead of the clock (plus each symbol's phase).
        assertThat(prices).isLessThanOrEqualTo((int) (RATE * SYMBOLS.size() * elapsedSeconds) + 2 * SYMBOLS.size());

        for (String symbol : SYMBOLS) {
            List<JsonNode> trades = rooms.get("trades:" + symbol);
            for (JsonNode trade : trades) {
                assertThat(trade.get("symbol").asText()).isEqualTo(symbol);
                money(trade, "price");
                assertThat(trade.get("size").asLong()).isPositive();
                assertThat(trade.get("side").asText()).isIn("buy", "sell");
                assertThat(trade.get("trade_id").asText()).startsWith("T-");
            }
        }

        for (String room : List.of("account:1", "account:2")) {
            assertAccountIsConsistent(room, rooms.get(room));
        }

        int afterStop = received.size();
        Thread.sleep(200);
        assertThat(received).as("events published after stop()").hasSize(afterStop);
    }

    /** Fills and balances alternate, and each balance's cash moved by exactly qty × price of its fill. */
    private static void assertAccountIsConsistent(String room, List<JsonNode> events) {
        assertThat(events).as(room).hasSizeGreaterThanOrEqualTo(2);
        assertThat(events.size() % 2).as("%s ends with a fill's balance", room).isZero();
        BigDecimal cash = STARTING_CASH;
        for (int i = 0; i < events.size(); i += 2) {
            JsonNode fill = events.get(i);
            JsonNode balance = events.get(i + 1);
            assertThat(fill.get("type").asText()).isEqualTo("fill");
            assertThat(fill.get("order_id").asText()).startsWith("O-");
            assertThat(fill.get("symbol").asText()).isIn(SYMBOLS);
            assertThat(fill.get("qty").asLong()).isPositive();
            BigDecimal notional = money(fill, "price").multiply(BigDecimal.valueOf(fill.get("qty").asLong()));
            cash = switch (fill.get("side").asText()) {
                case "buy" -> cash.subtract(notional);
                case "sell" -> cash.add(notional);
                default -> throw new AssertionError("side: " + fill);
            };
            assertThat(balance.get("type").asText()).isEqualTo("balance");
            assertThat(balance.get("cash").decimalValue()).isEqualByComparingTo(cash);
            assertThat(balance.get("cash").decimalValue().scale()).isLessThanOrEqualTo(2);
            assertThat(balance.get("equity").decimalValue().scale()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void keepsPublishingWhenSomePublishesFail() throws Exception {
        // No "trades" kind: every trade publish completes exceptionally, and must change nothing else.
        InMemoryEventBus bus = bus("price", "account");
        MarketSimulator simulator = new MarketSimulator(bus, SYMBOLS, RATE, 1, executor, new SplittableRandom(7), FAST);

        simulator.start();
        Thread.sleep(600);
        simulator.stop();

        Map<String, List<JsonNode>> rooms = byRoom();
        assertThat(rooms.keySet()).containsExactlyInAnyOrder("price:AAPL", "price:MSFT", "price:BRK.B", "account:1");
        rooms.forEach((room, events) -> assertThat(seqNos(events))
                .as("seq_no of %s", room)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList()));
        assertThat(rooms.get("price:AAPL")).hasSizeGreaterThan(10);
    }

    @Test
    void startsOnceAndStopsIdempotently() {
        InMemoryEventBus bus = bus("price", "trades", "account");
        MarketSimulator simulator = new MarketSimulator(bus, SYMBOLS, RATE, 1, executor, new SplittableRandom(1));
        assertThat(simulator.symbols()).isEqualTo(SYMBOLS);

        simulator.start();
        assertThatThrownBy(simulator::start).isInstanceOf(IllegalStateException.class);
        simulator.stop();
        simulator.stop();
        assertThatThrownBy(simulator::start).isInstanceOf(IllegalStateException.class);

        MarketSimulator neverStarted = new MarketSimulator(bus, SYMBOLS, RATE, 1, executor, new SplittableRandom(1));
        neverStarted.stop();
    }

    @Test
    void rejectsBadArguments() {
        InMemoryEventBus bus = bus("price", "trades", "account");
        SplittableRandom random = new SplittableRandom(1);
        assertThatThrownBy(() -> new MarketSimulator(bus, List.of(), RATE, 1, executor, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("symbols");
        assertThatThrownBy(() -> new MarketSimulator(bus, List.of("A", "A"), RATE, 1, executor, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> new MarketSimulator(bus, List.of("A B"), RATE, 1, executor, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'A B'");
        assertThatThrownBy(() -> new MarketSimulator(bus, SYMBOLS, 0, 1, executor, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updatesPerSecond");
        assertThatThrownBy(() -> new MarketSimulator(bus, SYMBOLS, Double.NaN, 1, executor, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updatesPerSecond");
        assertThatThrownBy(() -> new MarketSimulator(bus, SYMBOLS, RATE, -1, executor, random))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accounts");
        assertThatThrownBy(() -> new MarketSimulator.Pacing(1, Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minFillInterval");
        assertThatThrownBy(() -> new MarketSimulator.Pacing(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFillInterval");
    }

    private InMemoryEventBus bus(String... kindNames) {
        Map<String, GatewayConfig.Kind> kinds = new LinkedHashMap<>();
        for (String name : kindNames) {
            kinds.put(name, new GatewayConfig.Kind(
                    name, GatewayConfig.Access.AUTHENTICATED, GatewayConfig.Delivery.RELIABLE, 10_000, 3600, 1000, 3600));
        }
        InMemoryEventBus bus = new InMemoryEventBus(kinds, new GatewayConfig.Bus("memory", 300, 100_000));
        bus.start(received::add);
        buses.add(bus);
        return bus;
    }

    /** Every event's data parsed (each must be a JSON object), grouped by room in arrival order. */
    private Map<String, List<JsonNode>> byRoom() {
        return received.stream().collect(Collectors.groupingBy(
                BusEvent::room, LinkedHashMap::new, Collectors.mapping(MarketSimulatorTest::parseObject, Collectors.toList())));
    }

    private static JsonNode parseObject(BusEvent event) {
        try {
            JsonNode node = JSON.readTree(event.data());
            assertThat(node.isObject()).as("data of %s is a JSON object", event.room()).isTrue();
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON in " + event.room(), e);
        }
    }

    private static List<Long> seqNos(List<JsonNode> events) {
        return events.stream().map(e -> e.get("seq_no").asLong()).toList();
    }

    /** A positive amount with at most two decimals. */
    private static BigDecimal money(JsonNode object, String field) {
        JsonNode node = object.get(field);
        assertThat(node).as("%s in %s", field, object).isNotNull();
        assertThat(node.isNumber()).as("%s in %s is a number", field, object).isTrue();
        BigDecimal value = node.decimalValue();
        assertThat(value).as("%s in %s", field, object).isPositive();
        assertThat(value.scale()).as("decimals of %s in %s", field, object).isLessThanOrEqualTo(2);
        return value;
    }
}
