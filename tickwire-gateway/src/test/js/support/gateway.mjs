// Starts the real gateway (target/tickwire.jar, built by `mvn package`) as a child process.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const JAR = fileURLToPath(new URL('../../../../target/tickwire.jar', import.meta.url));

/**
 * Runs `java -jar tickwire.jar <mode>` on a free port (port 0: the port is read from the log line
 * "listening on HOST:PORT") and resolves once it listens.
 * @param {'serve'|'demo'} mode
 * @param {Record<string,string>} env  extra TICKWIRE_* settings
 */
export async function startGateway(mode = 'serve', env = {}) {
  if (!existsSync(JAR)) throw new Error(`${JAR} is missing: run ./mvnw -pl tickwire-gateway -am package first`);
  const secret = env.TICKWIRE_AUTH_HMAC_SECRET ?? randomBytes(32).toString('hex');
  const child = spawn('java', ['-jar', JAR, mode], {
    env: {
      ...process.env, TICKWIRE_SERVER_PORT: '0', TICKWIRE_SERVER_HOST: '127.0.0.1', TICKWIRE_AUTH_HMAC_SECRET: secret,
      TICKWIRE_DRAIN_WINDOW_SECONDS: '0', TICKWIRE_DRAIN_EXIT_DEADLINE_SECONDS: '2', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within 30 s:\n${log}`)), 30000);
    const onData = (chunk) => {
      log += chunk;
      const m = /listening on [^\s]*:(\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`gateway exited (${code}):\n${log}`)); });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    port,
    secret,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/ws`,
    get log() { return log; },
    /** Token for `sub` granting `rooms`, with `scope`, expiring in `ttlSeconds`. */
    token: (opts) => mintToken(secret, opts),
    /** SIGKILL: the abrupt end of a node (its in-memory bus and history go with it). */
    async kill() { child.kill('SIGKILL'); await exited; },
    async stop() {
      const running = () => child.exitCode === null && child.signalCode === null;
      if (running()) child.kill('SIGTERM');
      await Promise.race([exited, sleep(8000)]);
      if (running()) { child.kill('SIGKILL'); await exited; }
    },
  };
}

/** An HS256 JWT signed with `secret` (what the gateway's auth.hmac-secret verifies). */
export function mintToken(secret, { sub = 'js-test', rooms = [], scope, ttlSeconds = 3600 } = {}) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub, iat: now, exp: now + ttlSeconds, rooms };
  if (scope) claims.scope = scope;
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** POST /api/v1/publish of one event; resolves with its seq. */
export async function publish(gw, room, data) {
  const res = await fetch(`${gw.http}/api/v1/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.token({ sub: 'publisher', scope: 'tickwire:publish' })}`, 'content-type': 'application/json' },
    body: JSON.stringify({ room, data }),
  });
  if (res.status !== 200) throw new Error(`publish: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).results[0].seq;
}

/** POST /api/v1/disconnect of one session with `code`. */
export async function disconnect(http, adminToken, session, code, reason) {
  const res = await fetch(`${http}/api/v1/disconnect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ session, code, ...(reason ? { reason } : {}) }),
  });
  if (res.status !== 200) throw new Error(`disconnect: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `predicate()` is true; fails after `timeoutMs` with `what`. */
export async function until(predicate, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export const here = path.dirname(fileURLToPath(import.meta.url));
