// A rough probe, not the load generator: handshakes per second with RS256 tokens verified through JWKS.
// It serves a JWKS on loopback, starts the gateway (serve mode, verifying only through that JWKS), then
// keeps C clients connecting, waiting for the welcome and closing, for T seconds.
// Usage: node --experimental-websocket tools/handshake-probe.mjs [concurrency=32] [seconds=10] [port=18100]
// (build first: ./mvnw -q -DskipTests package)
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { generateKeyPairSync, createSign, randomUUID } from 'node:crypto';

const concurrency = Number(process.argv[2] ?? 32);
const seconds = Number(process.argv[3] ?? 10);
const port = Number(process.argv[4] ?? 18100);

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'probe-1', alg: 'RS256', use: 'sig' };
let jwksFetches = 0;
const jwks = createServer((req, res) => { jwksFetches++; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })); });
await new Promise((r) => jwks.listen(0, '127.0.0.1', r));
const jwksUrl = `http://127.0.0.1:${jwks.address().port}/jwks.json`;

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(i) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'probe-1' })}.${b64({ sub: 'u' + i, exp: now + 3600, iat: now, jti: randomUUID() })}`;
  return body + '.' + createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url');
}
const tokens = Array.from({ length: 2000 }, (_, i) => token(i));

const gw = spawn('java', ['-jar', 'tickwire-gateway/target/tickwire.jar', 'serve', '--port', String(port)], {
  env: { ...process.env, TICKWIRE_AUTH_JWKS_URL: jwksUrl, TICKWIRE_SERVER_HOST: '127.0.0.1',
    // every client is 127.0.0.1: lift the handshake rate limits, or they, not verification, are measured
    TICKWIRE_SERVER_HANDSHAKES_PER_SECOND: '1000000', TICKWIRE_SERVER_HANDSHAKE_BURST: '1000000',
    TICKWIRE_SERVER_ADDRESS_HANDSHAKES_PER_SECOND: '1000000', TICKWIRE_SERVER_ADDRESS_HANDSHAKE_BURST: '1000000' },
  stdio: ['ignore', 'ignore', 'inherit'] });
for (let i = 0; ; i++) {
  try { if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) break; } catch {}
  if (i > 200) throw new Error('gateway did not start');
  await new Promise((r) => setTimeout(r, 50));
}

function once(t) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['tickwire.v1', 'bearer.' + t]);
    ws.onmessage = (m) => { if (JSON.parse(m.data).type === 'welcome') { ws.close(); resolve(); } };
    ws.onerror = () => reject(new Error('handshake failed'));
    ws.onclose = (e) => { if (e.code !== 1000 && e.code !== 1005) reject(new Error('closed ' + e.code)); };
  });
}
let done = 0, failed = 0, next = 0;
const warmEnd = Date.now() + 2000;                 // JIT warm-up, not counted
while (Date.now() < warmEnd) await once(tokens[next++ % tokens.length]).catch(() => {});
const end = Date.now() + seconds * 1000;
const start = Date.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (Date.now() < end) {
    try { await once(tokens[next++ % tokens.length]); done++; } catch { failed++; }
  }
}));
const elapsed = (Date.now() - start) / 1000;
console.log(JSON.stringify({ handshakes: done, failed, seconds: elapsed.toFixed(1), per_second: Math.round(done / elapsed), concurrency, jwks_fetches: jwksFetches }));
gw.kill();
jwks.close();
process.exit(0);
