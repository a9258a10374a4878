// The JavaScript client (src/main/resources/web/tickwire.js, served as /tickwire.js) against a real
// gateway: `java -jar target/tickwire.jar serve`, real sockets, a TCP proxy to break them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway, publish, disconnect, sleep, until } from './support/gateway.mjs';
import { startProxy as openProxy } from './support/tcp-proxy.mjs';
import { loadClientModule } from './support/client-module.mjs';

let gw, TickwireClient;
const clients = [], proxies = [], gateways = [];
const startProxy = async (port) => { const p = await openProxy(port); proxies.push(p); return p; };

before(async () => {
  // 1 s heartbeats (the minimum) so that dead-connection detection shows within seconds
  gw = await startGateway('serve', { TICKWIRE_WS_HEARTBEAT_MS: '1000' });
  ({ TickwireClient } = await loadClientModule(gw.http));
});
after(async () => {
  clients.forEach((c) => c.close());
  proxies.forEach((p) => p.resetAll());
  await Promise.all([gw, ...gateways].map((g) => g?.stop()));
});

function client(opts) {
  const c = new TickwireClient({ WebSocket, minBackoffMs: 50, maxBackoffMs: 500, ...opts });
  c.states = [];
  c.on('state', (s) => c.states.push({ ...s, at: Date.now() }));
  clients.push(c);
  return c;
}

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

test('/tickwire.js is served in serve mode too', async () => {
  const res = await fetch(`${gw.http}/tickwire.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/javascript/);
  assert.match(await res.text(), /export class TickwireClient/);
});

test('subscribes with the token in the subprotocol and receives every event in order', async () => {
  const room = 'account:41';
  const c = client({ url: gw.ws, token: async () => gw.token({ sub: 'u41', rooms: [room] }) });
  const got = [];
  const sub = await c.subscribe(room, { onEvent: (d) => got.push(d.n) });
  assert.equal(sub.mode, 'reliable');
  assert.equal(c.state, 'live');
  for (const n of range(1, 200)) await publish(gw, room, { n });
  await until(() => got.length >= 200, '200 events');
  await sleep(200);
  assert.deepEqual(got, range(1, 200));
  await assert.rejects(c.subscribe('account:999'), (e) => e.code === 'forbidden');
});

test('unsubscribe resolves on the server\'s confirmation, and no event of the room follows', async () => {
  const room = 'account:43';
  const c = client({ url: gw.ws, token: async () => gw.token({ sub: 'u43', rooms: [room] }) });
  const got = [];
  await c.subscribe(room, { onEvent: (d) => got.push(d.n) });
  await publish(gw, room, { n: 1 });
  await until(() => got.length === 1, 'the first event');
  const done = c.unsubscribe(room);
  assert.ok(done instanceof Promise);
  await done;
  await publish(gw, room, { n: 2 });
  await sleep(300);
  assert.deepEqual(got, [1]);
  await c.unsubscribe(room); // not subscribed: resolves at once
});

test('abrupt cuts (TCP resets, 1011, 1012): reconnects and resumes, every event exactly once, in order', async () => {
  const room = 'account:42';
  const proxy = await startProxy(gw.port);
  const admin = gw.token({ sub: 'ops', scope: 'tickwire:admin' });
  const c = client({ url: proxy.ws, token: async () => gw.token({ sub: 'u42', rooms: [room] }) });
  const got = [];
  await c.subscribe(room, { onEvent: (d) => got.push(d.n) });
  // Publishing goes on until both enough events and enough cuts happened (a fast machine publishes 1,500
  // events in a couple of seconds, too few for the cuts to mean anything).
  const MIN_EVENTS = 1500, MIN_CUTS = 9;
  let published = 0, stop = false;
  const publisher = (async () => { while (!stop) { await publish(gw, room, { n: published + 1 }); published++; } })();
  const cuts = { reset: 0, 1011: 0, 1012: 0 };
  const totalCuts = () => cuts.reset + cuts[1011] + cuts[1012];
  let i = 0;
  while (published < MIN_EVENTS || totalCuts() < MIN_CUTS) {
    await sleep(250);
    if (c.state !== 'live') continue;
    const kind = ['reset', 1011, 1012][i++ % 3];
    if (kind === 'reset') proxy.resetAll();
    else await disconnect(gw.http, admin, c.session, kind, 'test cut').catch(() => {});
    cuts[kind]++;
  }
  stop = true;
  await publisher;
  const N = published;
  await until(() => got.length >= N && c.state === 'live', `all ${N} events`, 20000);
  await sleep(300); // anything doubled would arrive by now
  const seen = new Set(got);
  const report = {
    cuts, events: N, received: got.length,
    losses: range(1, N).filter((n) => !seen.has(n)).length,
    duplicates: got.length - seen.size,
    resumes: c.states.filter((s) => s.state === 'live' && s.resumed).length,
  };
  console.log('reconnection test:', JSON.stringify(report));
  assert.ok(totalCuts() >= MIN_CUTS, `too few cuts to mean anything: ${JSON.stringify(cuts)}`);
  assert.ok(report.resumes >= totalCuts() - 1, `resumes ${report.resumes}`);
  assert.deepEqual(got, range(1, N));
  // 1012 reconnects within 0-1 s of jitter, never by the backoff
  for (const s of c.states.filter((s) => s.state === 'reconnecting' && s.code === 1012)) assert.ok(s.inMs <= 1000, `1012 wait ${s.inMs}`);
  await proxy.close();
});

test('a silent connection (black hole) is detected by ping ops within 3 heartbeats, then resumed', async () => {
  const room = 'account:43';
  const proxy = await startProxy(gw.port);
  const c = client({ url: proxy.ws, token: async () => gw.token({ sub: 'u43', rooms: [room] }) });
  const got = [];
  await c.subscribe(room, { onEvent: (d) => got.push(d.n) });
  await publish(gw, room, { n: 1 });
  await until(() => got.length === 1, 'first event');
  const t0 = Date.now();
  proxy.setBlackhole(true);
  await publish(gw, room, { n: 2 });
  await until(() => c.states.some((s) => s.state === 'reconnecting' && s.at >= t0), 'dead connection noticed', 10000);
  const noticed = c.states.find((s) => s.state === 'reconnecting' && s.at >= t0);
  const noticedMs = noticed.at - t0;
  assert.ok(noticedMs >= 2000 && noticedMs <= 6000, `noticed after ${noticedMs} ms (3 heartbeats = 3000 ms)`);
  // the entry that reported it, not the latest: the next attempt may already be 'connecting' (0-50 ms of jitter)
  assert.equal(noticed.code, 4000);
  proxy.setBlackhole(false);
  await until(() => got.length === 2, 'event published into the black hole');
  assert.deepEqual(got, [1, 2]);
  await proxy.close();
});

test('backoff: exponential ceilings with full jitter, bounded by maxBackoffMs', async () => {
  const proxy = await startProxy(1); // port 1: every connection fails at once
  const c = client({ url: proxy.ws, token: 'unused', minBackoffMs: 100, maxBackoffMs: 800, backoffMultiplier: 2 });
  await until(() => c.states.filter((s) => s.state === 'reconnecting').length >= 9, '9 failed attempts', 20000);
  c.close();
  const waits = c.states.filter((s) => s.state === 'reconnecting').map((s) => s.inMs);
  waits.forEach((w, i) => assert.ok(w >= 0 && w <= Math.min(800, 100 * 2 ** i) + 1, `wait ${i} = ${w}`));
  assert.ok(new Set(waits).size > 3, `no jitter: ${waits}`);
  // and the client really waited: attempts follow their announced wait
  const s = c.states;
  for (let i = 0; i + 1 < s.length; i++) {
    if (s[i].state === 'reconnecting' && s[i + 1].state === 'connecting') assert.ok(s[i + 1].at - s[i].at >= s[i].inMs - 20);
  }
  assert.equal(c.state, 'closed');
  await proxy.close();
});

test('close codes: 4001 gets a new token, 1000 stops', async () => {
  const room = 'account:44';
  const admin = gw.token({ sub: 'ops', scope: 'tickwire:admin' });
  let tokens = 0;
  const c = client({ url: gw.ws, token: async () => { tokens++; return gw.token({ sub: 'u44', rooms: [room] }); } });
  await c.subscribe(room, {});
  await disconnect(gw.http, admin, c.session, 4001, 'token revoked');
  await until(() => tokens === 2 && c.state === 'live', 'reconnect with a new token');
  await disconnect(gw.http, admin, c.session, 1000, 'bye');
  await until(() => c.state === 'closed', 'closed');
  await sleep(700);
  assert.equal(c.state, 'closed');
  assert.equal(tokens, 2);
  assert.equal(c.states.at(-1).code, 1000);
});

test('two URLs, the first one down: the client lands on the second', async () => {
  const room = 'account:46';
  const down = 'ws://127.0.0.1:1/ws'; // port 1: refused at once
  const c = client({ url: [down, gw.ws], token: async () => gw.token({ sub: 'u46', rooms: [room] }) });
  const got = [];
  await c.subscribe(room, { onEvent: (d) => got.push(d.n) });
  assert.equal(c.state, 'live');
  assert.equal(c.url, gw.ws);
  // the first attempt (to the URL that is down) failed: the next went to the second URL
  assert.ok(c.states.some((s) => s.state === 'reconnecting'), JSON.stringify(c.states));
  assert.equal(c.states.filter((s) => s.state === 'connecting').at(-1).url, gw.ws);
  await publish(gw, room, { n: 1 });
  await until(() => got.length === 1, 'an event through the second URL');
});

test('4003 stops for good', async () => {
  const room = 'account:47';
  const admin = gw.token({ sub: 'ops', scope: 'tickwire:admin' });
  let tokens = 0;
  const c = client({ url: gw.ws, token: async () => { tokens++; return gw.token({ sub: 'u47', rooms: [room] }); } });
  await c.subscribe(room, {});
  await disconnect(gw.http, admin, c.session, 4003, 'user banned');
  await until(() => c.state === 'closed', 'closed');
  await sleep(700);
  assert.equal(c.state, 'closed');
  assert.equal(tokens, 1);
  assert.deepEqual(c.states.at(-1), { ...c.states.at(-1), state: 'closed', code: 4003 });
});

test('a reader that stalls is closed with 4008, resumes within a second and misses nothing', async () => {
  // a small budget so that stalling bites; history large enough that the resume is exact
  const small = await startGateway('serve', {
    TICKWIRE_OUTBOUND_BUDGET_BYTES: '65536', TICKWIRE_OUTBOUND_HIGH_WATER_BYTES: '16384',
    TICKWIRE_OUTBOUND_LOW_WATER_BYTES: '8192', TICKWIRE_OUTBOUND_SOCKET_SEND_BUFFER_BYTES: '8192',
    TICKWIRE_ROOMS_KINDS_ACCOUNT_HISTORY_EVENTS: '2500', TICKWIRE_ROOMS_MAX_EVENT_BYTES: '16384',
  });
  gateways.push(small);
  const room = 'account:48';
  const c = client({ url: small.ws, token: async () => small.token({ sub: 'u48', rooms: [room] }) });
  const got = [];
  await c.subscribe(room, { onEvent: (d) => got.push(d.n) });
  c._ws._socket.pause(); // the application stops reading (Node's ws: its TCP socket)
  const N = 2000, pad = 'x'.repeat(1000);
  const publisher = small.token({ sub: 'publisher', scope: 'tickwire:publish' });
  for (let n = 1; n <= N; n += 100) {
    const events = range(n, Math.min(N, n + 99)).map((k) => ({ room, data: { n: k, pad } }));
    const res = await fetch(`${small.http}/api/v1/publish`, {
      method: 'POST', headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    assert.equal(res.status, 200);
  }
  const stalledAt = got.length;
  c._ws._socket.resume();
  await until(() => c.states.some((s) => s.state === 'reconnecting'), '4008', 20000);
  const closed = c.states.find((s) => s.state === 'reconnecting');
  assert.equal(closed.code, 4008);
  assert.ok(closed.inMs <= 1000, `4008 waits ${closed.inMs} ms (quick resume)`);
  await until(() => got.length >= N, 'every event after the resume', 20000);
  await sleep(200);
  console.log('4008 test:', JSON.stringify({ published: N, beforeStall: stalledAt, received: got.length }));
  assert.deepEqual(got, range(1, N));
  assert.ok(c.states.some((s) => s.state === 'live' && s.resumed));
});

test('1013 waits the delay its reason names before reconnecting, then resumes', async () => {
  const room = 'account:45';
  const admin = gw.token({ sub: 'ops', scope: 'tickwire:admin' });
  const c = client({ url: gw.ws, token: async () => gw.token({ sub: 'u45', rooms: [room] }) });
  const got = [];
  await c.subscribe(room, { onEvent: (d) => got.push(d.n) });
  await disconnect(gw.http, admin, c.session, 1013, 'retry after 2 s');
  await until(() => c.state === 'reconnecting', 'reconnecting');
  const waiting = c.states.at(-1);
  assert.equal(waiting.code, 1013); // the close frame's code arrived, not 1006
  assert.ok(waiting.inMs >= 2000, `announced ${waiting.inMs} ms`);
  await publish(gw, room, { n: 1 }); // while it is away
  await until(() => c.state === 'live' && got.length === 1, 'back and resumed', 10000);
  const back = c.states.find((s) => s.at > waiting.at && s.state === 'connecting');
  assert.ok(back.at - waiting.at >= 1980, `reconnected after ${back.at - waiting.at} ms`);
  assert.deepEqual(got, [1]);
});

test('token_expiring is answered with refresh and a fresh token; the connection stays', async () => {
  const room = 'account:45';
  let calls = 0;
  // 33 s to live and warnings 30 s ahead: token_expiring comes after about 3 s
  const c = client({ url: gw.ws, token: async () => gw.token({ sub: 'u45', rooms: [room], ttlSeconds: calls++ === 0 ? 33 : 3600 }) });
  const refreshed = [];
  c.on('refreshed', (r) => refreshed.push(r));
  await c.subscribe(room, {});
  await until(() => refreshed.length === 1, 'refreshed', 15000);
  assert.equal(calls, 2);
  assert.ok(refreshed[0].expiresAt > Date.now() + 3000 * 1000, `new expiry ${refreshed[0].expiresAt}`);
  assert.equal(c.states.filter((s) => s.state === 'reconnecting').length, 0);
});

test('gateway restart (SIGTERM: drain): reconnect notice, 1012 within 1 s, the lost history surfaces as reset', async () => {
  const gw1 = await startGateway('serve', { TICKWIRE_AUTH_HMAC_SECRET: gw.secret, TICKWIRE_DRAIN_WINDOW_SECONDS: '1', TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS: '3' });
  gateways.push(gw1);
  const proxy = await startProxy(gw1.port);
  const room = 'account:46';
  const c = client({ url: proxy.ws, token: async () => gw.token({ sub: 'u46', rooms: [room] }) });
  const got = [], resets = [], notices = [];
  c.on('reconnect', (r) => notices.push(r));
  await c.subscribe(room, { onEvent: (d) => got.push(d.n), onReset: (r) => resets.push(r) });
  for (const n of range(1, 5)) await publish(gw1, room, { n });
  await until(() => got.length === 5, '5 events');
  await gw1.stop(); // SIGTERM: the drain sends `reconnect`, then closes with 1012 within its 1 s window
  assert.equal(notices.length, 1);
  const away = c.states.find((s) => s.state === 'reconnecting');
  if (away.code === 1012) assert.ok(away.inMs <= 1000, `1012 wait ${away.inMs}`); // (1006 if the close frame was lost)
  const gw2 = await startGateway('serve', { TICKWIRE_AUTH_HMAC_SECRET: gw.secret });
  gateways.push(gw2);
  try {
    proxy.retarget(gw2.port);
    await until(() => resets.length === 1 && c.state === 'live', 'reset after the restart', 20000);
    assert.match(resets[0].reason, /^(epoch_changed|history_unavailable)$/);
    assert.equal(resets[0].room, room);
    for (const n of range(6, 8)) await publish(gw2, room, { n });
    await until(() => got.length === 8, 'events after the restart');
    assert.deepEqual(got, range(1, 8));
    assert.ok(c.states.some((s) => s.state === 'live' && s.resumed));
  } finally {
    c.close();
    await proxy.close();
    await gw2.stop();
  }
});
