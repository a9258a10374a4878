/**
 * Demo mode: {@link io.tickwire.gateway.demo.MarketSimulator}, a simulated market (prices, trade prints,
 * account fills and balances) that publishes through the {@link io.tickwire.gateway.bus.EventBus} like
 * any other service, and the page {@code web/index.html} served at {@code /}.
 */
package io.tickwire.gateway.demo;
