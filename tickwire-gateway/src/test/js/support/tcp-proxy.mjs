// A TCP proxy in front of the gateway, so tests can break connections the way networks do: a reset
// (RST, no close frame) or a black hole (the link stays open and carries nothing).
import net from 'node:net';

export async function startProxy(targetPort) {
  const pairs = new Set();
  let target = targetPort;
  let blackhole = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    const forward = (from, to) => from.on('data', (b) => { if (!blackhole) to.write(b); });
    forward(client, upstream);
    forward(upstream, client);
    // In a black hole the far end's FIN or reset is swallowed too: the other side's socket stays open, as
    // across a path that silently lost its packets (resetAll or close ends it).
    const end = () => {
      if (blackhole) return;
      pairs.delete(pair); client.destroy(); upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  server.unref(); // a test that fails before close() must not keep the run alive
  const port = server.address().port;
  return {
    port,
    ws: `ws://127.0.0.1:${port}/ws`,
    get connections() { return pairs.size; },
    /** Points new connections at another gateway (after a restart on a new port). */
    retarget(p) { target = p; },
    /** Drops every connection with a TCP reset, both ways: no close frame. */
    resetAll() {
      for (const { client, upstream } of pairs) { client.resetAndDestroy(); upstream.resetAndDestroy(); }
      pairs.clear();
    },
    /** true: bytes are swallowed silently, connections stay open. */
    setBlackhole(on) { blackhole = on; },
    close() { this.resetAll(); return new Promise((r) => server.close(r)); },
  };
}
