// Tickwire JavaScript client (protocol tickwire.v1, docs/protocol.md). One ES module, no build step, no
// dependencies: browsers use their own WebSocket; Node 20 passes the `ws` package's.
//
//   import { TickwireClient } from '/tickwire.js';
//   const client = new TickwireClient({ url: 'wss://host/ws', token: async () => fetchMyJwt() });
//   client.on('state', s => console.log(s.state, s.inMs ?? ''));
//   await client.subscribe('account:42', { onEvent: (data, meta) => ..., onReset: r => reloadFromRest() });
//
// What it does for the application (contract §5, §6):
// - sends the token in the subprotocol list (`tickwire.v1`, `bearer.<jwt>`), never in the URL;
// - reconnects by the close-code table, with exponential backoff and full jitter otherwise;
// - resumes every room from its last (seq, epoch) after each reconnect, so each event of a reliable room
//   reaches onEvent exactly once and in order; a resume the server cannot serve surfaces as onReset;
// - answers token_expiring with a refresh, using a fresh token from the token function;
// - sends `ping` ops and treats three heartbeat intervals of silence as a dead connection (browsers
//   cannot see WebSocket pings).

/** Close codes of the contract's table (§6). */
export const CloseCode = Object.freeze({
  NORMAL: 1000, GOING_AWAY: 1001, UNSUPPORTED_DATA: 1003, ABNORMAL: 1006, INVALID_PAYLOAD: 1007,
  TOO_BIG: 1009, INTERNAL_ERROR: 1011, SERVICE_RESTART: 1012, TRY_AGAIN_LATER: 1013,
  HEARTBEAT_TIMEOUT: 4000, UNAUTHORIZED: 4001, FORBIDDEN: 4003, SLOW_CONSUMER: 4008, RATE_LIMITED: 4029,
});

/** Codes after which reconnecting cannot help: stop (1000, 4003), or the client itself is wrong. */
const STOP_CODES = new Set([CloseCode.NORMAL, CloseCode.FORBIDDEN, CloseCode.UNSUPPORTED_DATA,
  CloseCode.INVALID_PAYLOAD, CloseCode.TOO_BIG]);

const DEFAULTS = Object.freeze({
  minBackoffMs: 500,      // the first backoff waits at most this long
  maxBackoffMs: 30000,    // no backoff waits longer than this
  backoffMultiplier: 2,   // each consecutive failure multiplies the ceiling by this
  connectTimeoutMs: 10000, // a connection without `welcome` by then is dropped
  slowInARowBeforeBackoff: 2, // 4008: quick resumes this many times in a row, then backoff
});

/**
 * @typedef {object} EventMeta
 * @property {string} room
 * @property {number} seq   the room's sequence number (increasing, not contiguous)
 * @property {number} [ts]  publish time, epoch ms (events only)
 */

/**
 * @typedef {object} RoomHandlers
 * @property {(data: any, meta: EventMeta) => void} [onEvent]     each event, once, in order
 * @property {(data: any, meta: EventMeta) => void} [onSnapshot]  the room's latest value (conflate rooms)
 * @property {(info: {room: string, seq: number, epoch: string, reason: string}) => void} [onReset]
 *   the server could not resume this room: state built from it is stale, reconcile it (e.g. over REST)
 */

/**
 * A connection to a Tickwire gateway that stays connected and keeps its subscriptions.
 *
 * States (`on('state', fn)`, fn gets `{state, ...}`): `connecting`; `live` (`resumed: true` after a
 * reconnect, once every room has answered); `reconnecting` (`inMs`, `code`, `reason`); `closed`
 * (`code`, `reason`: given up, or close() was called).
 */
export class TickwireClient {
  /**
   * @param {object} options
   * @param {string | string[]} options.url  the gateway's WebSocket URL, e.g. `wss://host/ws`, or several
   *   (`['wss://gw-1/ws', 'wss://gw-2/ws']`): each reconnect tries the next one in turn
   * @param {string | (() => string | Promise<string>)} options.token  a JWT, or a function returning a
   *   fresh one; called for every connection and every refresh
   * @param {typeof WebSocket} [options.WebSocket]  defaults to `globalThis.WebSocket`; in Node pass `ws`
   * @param {number} [options.minBackoffMs=500]
   * @param {number} [options.maxBackoffMs=30000]
   * @param {number} [options.backoffMultiplier=2]
   * @param {number} [options.connectTimeoutMs=10000]
   */
  constructor(options) {
    const { url, token, WebSocket = globalThis.WebSocket, ...tuning } = options || {};
    const urls = Array.isArray(url) ? [...url] : [url];
    if (!urls.length || urls.some((u) => !u)) throw new TypeError('TickwireClient: options.url is required');
    if (!token) throw new TypeError('TickwireClient: options.token is required');
    if (!WebSocket) throw new TypeError('TickwireClient: no WebSocket here; pass options.WebSocket (Node: the ws package)');
    this._urls = urls;
    this._urlIndex = 0;
    /** The URL of the current (or next) connection. */
    this.url = urls[0];
    this.options = { ...DEFAULTS, ...tuning };
    this._token = typeof token === 'function' ? token : () => token;
    this._WebSocket = WebSocket;
    /** @type {Map<string, {handlers: RoomHandlers, seq: ?number, epoch: ?string, liveEpoch: ?string, pending: ?{resolve: Function, reject: Function}}>} */
    this._rooms = new Map();
    this._ops = new Map();       // op id -> {rooms, resolve?} awaiting a reply
    this._unsubscribing = new Map(); // unsubscribe op id -> resolve
    this._listeners = new Map(); // event name -> Set of functions
    this._nextId = 1;
    this._attempt = 0;           // consecutive failures: the backoff exponent
    this._slowInARow = 0;        // consecutive 4008 closes
    this._everLive = false;
    this._closed = false;
    this._ws = null;
    this._timers = new Set();
    /** Server-assigned session id of the current connection (from `welcome`). */
    this.session = null;
    /** The current state's name. */
    this.state = 'idle';
    this._connect();
  }

  /**
   * Subscribes to `room` now and after every reconnect.
   *
   * @param {string} room  e.g. `price:AAPL`, `account:42`
   * @param {RoomHandlers} handlers
   * @returns {Promise<{room: string, mode: string, seq: number, epoch: string}>}  settles on the
   *   server's first answer: `subscribed`, or an error (forbidden, not_found, ...)
   */
  subscribe(room, handlers = {}) {
    if (this._closed) return Promise.reject(new Error('client closed'));
    if (this._rooms.has(room)) return Promise.reject(new Error(`already subscribed to ${room}`));
    return new Promise((resolve, reject) => {
      this._rooms.set(room, { handlers, seq: null, epoch: null, liveEpoch: null, pending: { resolve, reject } });
      if (this._welcomed) this._sendSubscribe([room]);
    });
  }

  /**
   * Stops receiving `room` (its handlers are not called any more, even for events in flight).
   * @returns {Promise<void>} resolves once the server has confirmed (at once when not connected: a
   *   connection that ends takes its subscriptions with it)
   */
  unsubscribe(room) {
    if (!this._rooms.delete(room) || !this._welcomed) return Promise.resolve();
    const id = this._nextId++;
    return new Promise((resolve) => {
      this._unsubscribing.set(id, resolve);
      this._send({ op: 'unsubscribe', id, rooms: [room] });
    });
  }

  /**
   * Listens to `state` ({state, inMs?, code?, reason?, resumed?}), `error` (server errors that belong to
   * no subscription), `refreshed` ({expiresAt}), `reconnect` (the server's notice before a 1012).
   * @returns {() => void} removes the listener
   */
  on(event, fn) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(fn);
    return () => this._listeners.get(event).delete(fn);
  }

  /** Closes the connection for good (1000); pending subscriptions are rejected. */
  close() {
    if (this._closed) return;
    this._closed = true;
    this._clearTimers();
    if (this._ws) {
      this._detach(this._ws);
      try { this._ws.close(CloseCode.NORMAL); } catch { /* already closing */ }
      this._ws = null;
    }
    for (const r of this._rooms.values()) r.pending?.reject(new Error('client closed'));
    for (const resolve of this._unsubscribing.values()) resolve();
    this._unsubscribing.clear();
    this._setState('closed', { code: CloseCode.NORMAL, reason: 'closed by the application' });
  }

  // ---- connection lifecycle ----

  async _connect() {
    if (this._closed) return;
    this._setState('connecting', { attempt: this._attempt, url: this.url });
    let token;
    try {
      token = await this._token();
    } catch (e) {
      this._emit('error', { code: 'token', message: `token function failed: ${e?.message ?? e}` });
      this._scheduleReconnect(this._backoffMs(), { code: null, reason: 'token function failed' });
      return;
    }
    if (this._closed) return;
    let ws;
    try {
      ws = new this._WebSocket(this.url, ['tickwire.v1', `bearer.${token}`]);
    } catch (e) {
      this._scheduleReconnect(this._backoffMs(), { code: null, reason: `cannot connect: ${e?.message ?? e}` });
      return;
    }
    this._ws = ws;
    this._welcomed = false;
    this._lastHeard = Date.now();
    ws.onmessage = (ev) => {
      this._lastHeard = Date.now();
      let msg;
      try { msg = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data)); } catch { return; }
      this._onMessage(msg);
    };
    ws.onclose = (ev) => this._onClose(ev.code, ev.reason);
    ws.onerror = () => { /* a close event follows */ };
    this._after(this.options.connectTimeoutMs, () => {
      if (this._ws === ws && !this._welcomed) this._drop(ws, 'no welcome from the server');
    });
  }

  /** Abandons a connection that is dead or stuck: the same path as a close with 4000. */
  _drop(ws, reason) {
    this._detach(ws);
    try { ws.close(CloseCode.HEARTBEAT_TIMEOUT, reason); } catch { /* already closed */ }
    this._onClose(CloseCode.HEARTBEAT_TIMEOUT, reason);
  }

  _detach(ws) {
    ws.onmessage = ws.onclose = null;
    ws.onerror = () => {}; // Node's ws still reports the abort of a handshake in progress
  }

  _onClose(code, reason = '') {
    this._ws = null;
    this._welcomed = false;
    this.session = null;
    this._clearTimers();
    this._ops.clear();
    for (const resolve of this._unsubscribing.values()) resolve(); // the subscription ended with the connection
    this._unsubscribing.clear();
    if (this._closed) return;
    if (STOP_CODES.has(code)) {
      this._closed = true;
      for (const r of this._rooms.values()) r.pending?.reject(new Error(`connection closed: ${code} ${reason}`));
      this._setState('closed', { code, reason });
      return;
    }
    this._slowInARow = code === CloseCode.SLOW_CONSUMER ? this._slowInARow + 1 : 0;
    let inMs;
    if (code === CloseCode.SERVICE_RESTART) {
      inMs = Math.random() * 1000; // the server already spread the wait (its `reconnect` notice)
    } else if (code === CloseCode.SLOW_CONSUMER && this._slowInARow <= this.options.slowInARowBeforeBackoff) {
      inMs = Math.random() * 1000; // resume soon: the history still covers what was missed
    } else if (code === CloseCode.TRY_AGAIN_LATER) {
      const asked = /(\d+(?:\.\d+)?)\s*s/.exec(reason || '');
      inMs = Math.max(asked ? Number(asked[1]) * 1000 : 0, this._backoffMs());
    } else {
      inMs = this._backoffMs(); // 4001 too: every connection asks the token function for a fresh token
    }
    this._scheduleReconnect(inMs, { code, reason });
  }

  _scheduleReconnect(inMs, why) {
    if (this._closed) return;
    this._urlIndex = (this._urlIndex + 1) % this._urls.length; // the next gateway in turn
    this.url = this._urls[this._urlIndex];
    this._setState('reconnecting', { inMs: Math.round(inMs), ...why });
    this._after(inMs, () => this._connect());
  }

  /** Full jitter: a uniformly random wait below min(max, min * multiplier^attempt). */
  _backoffMs() {
    const { minBackoffMs, maxBackoffMs, backoffMultiplier } = this.options;
    const ceiling = Math.min(maxBackoffMs, minBackoffMs * backoffMultiplier ** this._attempt);
    this._attempt++;
    return Math.random() * ceiling;
  }

  // ---- messages ----

  _onMessage(msg) {
    switch (msg.type) {
      case 'welcome': return this._onWelcome(msg);
      case 'event': return this._deliver(msg, 'onEvent');
      case 'snapshot': return this._deliver(msg, 'onSnapshot');
      case 'subscribed': return this._onSubscribed(msg);
      case 'reset': return this._onReset(msg);
      case 'error': return this._onError(msg);
      case 'unsubscribed':
        if (msg.id != null && this._unsubscribing.has(msg.id)) {
          this._unsubscribing.get(msg.id)();
          this._unsubscribing.delete(msg.id);
        }
        if (msg.reason && this._rooms.delete(msg.room)) this._emit('error', { code: msg.reason, room: msg.room, message: `server ended ${msg.room}` });
        return this._settleOp(msg.id);
      case 'token_expiring': return this._refresh();
      case 'refreshed': return this._emit('refreshed', { expiresAt: msg.expires_at });
      case 'reconnect': return this._emit('reconnect', { afterMs: msg.after_ms, reason: msg.reason });
      default: return undefined; // pong, and types of later versions
    }
  }

  _onWelcome(msg) {
    const ws = this._ws;
    this._welcomed = true;
    this.session = msg.session;
    this._attempt = 0;
    this._resuming = this._everLive;
    const heartbeatMs = msg.heartbeat_ms || 15000;
    const every = (fn) => { const t = setInterval(fn, Math.max(250, heartbeatMs / 2)); this._timers.add({ interval: t }); };
    every(() => {
      if (this._ws !== ws) return;
      if (Date.now() - this._lastHeard > 3 * heartbeatMs) this._drop(ws, 'no reply from the server');
      else this._send({ op: 'ping', id: this._nextId++ });
    });
    const rooms = [...this._rooms.keys()];
    if (rooms.length === 0) this._goLive();
    else this._sendSubscribe(rooms, () => this._goLive());
  }

  _goLive() {
    const resumed = this._resuming;
    this._everLive = true;
    this._setState('live', { resumed, session: this.session });
  }

  /** One subscribe op for `rooms`, resuming those with a known position. */
  _sendSubscribe(rooms, whenAnswered) {
    const id = this._nextId++;
    const op = { op: 'subscribe', id, rooms };
    const resume = {};
    for (const room of rooms) {
      const r = this._rooms.get(room);
      if (r.epoch != null && r.seq != null) resume[room] = { seq: r.seq, epoch: r.epoch };
    }
    if (Object.keys(resume).length) op.resume = resume;
    this._ops.set(id, { waiting: new Set(rooms), whenAnswered });
    this._send(op);
  }

  /** Marks `room` of op `id` as answered; runs the op's callback once all its rooms are. */
  _answered(id, room) {
    const op = this._ops.get(id);
    if (!op) return;
    op.waiting.delete(room);
    if (op.waiting.size === 0) {
      this._ops.delete(id);
      op.whenAnswered?.();
    }
  }

  _settleOp(id) {
    const op = this._ops.get(id);
    if (op && op.waiting.size === 0) this._ops.delete(id);
  }

  _onSubscribed(msg) {
    const r = this._rooms.get(msg.room);
    if (r) {
      r.liveEpoch = msg.epoch;
      if (r.seq == null) { r.seq = msg.seq; r.epoch = msg.epoch; } // a first subscribe starts at S (§5)
      if (r.pending) { r.pending.resolve({ room: msg.room, mode: msg.mode, seq: msg.seq, epoch: msg.epoch }); r.pending = null; }
    }
    this._answered(msg.id, msg.room);
  }

  /** Position moves only here, on snapshot and on reset (§5): what is at or below it was seen already. */
  _deliver(msg, handler) {
    const r = this._rooms.get(msg.room);
    if (!r) return;
    if (r.seq != null && r.epoch === r.liveEpoch && msg.seq <= r.seq) return; // a duplicate: drop it
    r.seq = msg.seq;
    r.epoch = r.liveEpoch;
    r.handlers[handler]?.(msg.data, { room: msg.room, seq: msg.seq, ts: msg.ts });
  }

  _onReset(msg) {
    const r = this._rooms.get(msg.room);
    if (!r) return;
    r.seq = msg.seq;
    r.epoch = r.liveEpoch = msg.epoch;
    r.handlers.onReset?.({ room: msg.room, seq: msg.seq, epoch: msg.epoch, reason: msg.reason });
  }

  _onError(msg) {
    if (msg.room) { // the server refused the room (e.g. forbidden after a token change): it is not kept
      const r = this._rooms.get(msg.room);
      if (r && this._ops.has(msg.id)) this._rooms.delete(msg.room);
      if (r?.pending) r.pending.reject(Object.assign(new Error(msg.message || msg.code), { code: msg.code }));
      else this._emit('error', msg);
      return this._answered(msg.id, msg.room);
    }
    const op = msg.id != null ? this._ops.get(msg.id) : null;
    if (op) { // the whole operation failed (e.g. rate_limited): its new rooms fail, known ones retry later
      for (const room of op.waiting) {
        const r = this._rooms.get(room);
        if (r?.pending) { this._rooms.delete(room); r.pending.reject(Object.assign(new Error(msg.message || msg.code), { code: msg.code })); }
      }
      this._ops.delete(msg.id);
      op.whenAnswered?.();
    }
    this._emit('error', msg);
    return undefined;
  }

  async _refresh() {
    const ws = this._ws;
    try {
      const token = await this._token();
      if (this._ws === ws) this._send({ op: 'refresh', id: this._nextId++, token });
    } catch (e) {
      // the connection keeps its token until expiry, then closes with 4001 and we reconnect with a new one
      this._emit('error', { code: 'token', message: `token function failed: ${e?.message ?? e}` });
    }
  }

  // ---- plumbing ----

  _send(op) {
    const ws = this._ws;
    if (ws && ws.readyState === 1 /* OPEN */) ws.send(JSON.stringify(op));
  }

  _after(ms, fn) {
    const entry = {};
    entry.timeout = setTimeout(() => { this._timers.delete(entry); fn(); }, ms);
    this._timers.add(entry);
  }

  _clearTimers() {
    for (const t of this._timers) { clearTimeout(t.timeout); clearInterval(t.interval); }
    this._timers.clear();
  }

  _setState(state, details = {}) {
    this.state = state;
    this._emit('state', { state, ...details });
  }

  _emit(event, value) {
    for (const fn of this._listeners.get(event) ?? []) {
      try { fn(value); } catch (e) { setTimeout(() => { throw e; }); } // an app's bug must not break the client
    }
  }
}
