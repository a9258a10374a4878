// A rough probe, not the load generator: one WebSocket client subscribed to one reliable room while
// this script publishes batches over HTTP; reports events/s received and publish->receive latency.
// Usage: node --experimental-websocket tools/one-client-probe.mjs [baseUrl] [events] [batch]
// (run the gateway first: java -jar tickwire-gateway/target/tickwire.jar demo)
const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const total = Number(process.argv[3] ?? 50000);
const batch = Number(process.argv[4] ?? 100);
const room = 'trades:PROBE' + Date.now();
const tok = async (q) => (await (await fetch(`${base}/dev/token?${q}`)).json()).token;
const subToken = await tok('sub=probe');
const pubToken = await tok('sub=probe-pub&scope=tickwire:publish');
const now = () => performance.timeOrigin + performance.now();

const ws = new WebSocket(base.replace(/^http/, 'ws') + '/ws', ['tickwire.v1', 'bearer.' + subToken]);
const lat = [];
let next = 0, first = 0, last = 0;
const done = new Promise((resolve, reject) => {
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'welcome') ws.send(JSON.stringify({ op: 'subscribe', id: 1, rooms: [room] }));
    else if (msg.type === 'subscribed') publishAll().catch(reject);
    else if (msg.type === 'event') {
      const t = now();
      if (msg.data.n !== next) reject(new Error(`expected ${next}, got ${msg.data.n}`));
      next++;
      if (!first) first = t;
      last = t;
      lat.push(t - msg.data.t);
      if (next === total) resolve();
    }
  };
  ws.onclose = (e) => reject(new Error('closed ' + e.code));
});

async function publishAll() {
  for (let n = 0; n < total; n += batch) {
    const t = now();
    const events = [];
    for (let i = n; i < Math.min(total, n + batch); i++) events.push({ room, data: { n: i, t } });
    const r = await fetch(`${base}/api/v1/publish`, { method: 'POST', body: JSON.stringify({ events }),
      headers: { authorization: 'Bearer ' + pubToken, 'content-type': 'application/json' } });
    if (r.status !== 200) throw new Error('publish ' + r.status + ' ' + await r.text());
  }
}

await done;
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
console.log(JSON.stringify({ events: total, batch, seconds: ((last - first) / 1000).toFixed(2),
  events_per_s: Math.round(total / ((last - first) / 1000)), latency_ms: { p50: q(0.5), p99: q(0.99), max: q(1) } }));
ws.close();
