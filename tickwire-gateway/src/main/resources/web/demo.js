// The demo page: a watchlist, a candle chart and an account, all over one TickwireClient.
// Everything from the server is shown with textContent, never as HTML.
import { TickwireClient } from '/tickwire.js';

const ACCOUNT_ROOM = 'account:1';
const CANDLE_SECONDS = 5;
const MAX_FILLS_SHOWN = 60;
const MAX_TAPE = 14;
const TZ_SHIFT_S = -new Date().getTimezoneOffset() * 60; // the chart shows UTC: shift to local time

const $ = (id) => document.getElementById(id);
const money = (v) => Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const clock = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });

/** What tests (and curious developers) can read: window.tickwireDemo. */
const demo = window.tickwireDemo = { states: [], accountSeqNos: [], resets: [], session: null, client: null };

// ---- connection indicator ----
const conn = $('conn');
let countdown = null;
function showState(s) {
  clearInterval(countdown);
  conn.dataset.state = s.state;
  const text = $('conn-text');
  if (s.state === 'connecting') text.textContent = 'Connecting…';
  else if (s.state === 'live') {
    demo.session = s.session;
    document.body.dataset.session = s.session;
    text.textContent = s.resumed ? 'Live · resumed' : 'Live';
  } else if (s.state === 'reconnecting') {
    const until = Date.now() + s.inMs;
    const tick = () => { text.textContent = `Reconnecting in ${Math.max(0, (until - Date.now()) / 1000).toFixed(1)} s`; };
    tick();
    countdown = setInterval(tick, 100);
  } else if (s.state === 'closed') text.textContent = `Disconnected (${s.code ?? ''})`;
  demo.states.push({ state: s.state, resumed: !!s.resumed, code: s.code ?? null, inMs: s.inMs ?? null, text: text.textContent, at: Date.now() });
}

// ---- watchlist ----
const rows = new Map(); // symbol -> {tr, cells, open, last}
function buildBoard(symbols) {
  const body = $('quotes');
  for (const symbol of symbols) {
    const tr = body.insertRow();
    const cells = {};
    for (const k of ['symbol', 'bid', 'ask', 'last', 'chg', 'pct']) { cells[k] = tr.insertCell(); cells[k].textContent = k === 'symbol' ? symbol : '–'; }
    tr.addEventListener('click', () => selectSymbol(symbol));
    rows.set(symbol, { tr, cells, open: null, last: null });
  }
}

function flash(td, dir) {
  td.classList.remove('flash-up', 'flash-down');
  void td.offsetWidth; // restart the transition
  td.classList.add(dir > 0 ? 'flash-up' : 'flash-down');
  setTimeout(() => td.classList.remove('flash-up', 'flash-down'), 350);
}

function onPrice(d, meta) {
  const row = rows.get(d.symbol);
  if (!row) return;
  const last = Number(d.last);
  if (row.open == null) row.open = last;
  for (const k of ['bid', 'ask', 'last']) {
    const text = money(d[k]);
    const before = parseFloat(row.cells[k].textContent.replace(/,/g, ''));
    if (row.cells[k].textContent !== text) {
      row.cells[k].textContent = text;
      if (!Number.isNaN(before)) flash(row.cells[k], Number(d[k]) - before);
    }
  }
  const chg = last - row.open;
  const cls = chg > 0 ? 'up' : chg < 0 ? 'down' : '';
  row.cells.chg.textContent = (chg > 0 ? '+' : '') + money(chg);
  row.cells.pct.textContent = (chg > 0 ? '+' : '') + (row.open ? (chg / row.open * 100).toFixed(2) : '0.00') + '%';
  row.cells.chg.className = row.cells.pct.className = cls;
  row.last = last;
  addToCandles(d.symbol, last, meta.ts ?? Date.now());
  if (d.symbol === selected) {
    $('chart-last').textContent = money(last);
    $('chart-chg').textContent = `${chg > 0 ? '+' : ''}${money(chg)} (${row.cells.pct.textContent})`;
    $('chart-chg').className = 'chart-chg ' + cls;
  }
}

// ---- chart ----
const candles = new Map(); // symbol -> [{time, open, high, low, close}]
let chart = null, series = null, selected = null;

function addToCandles(symbol, price, ts) {
  const time = Math.floor(ts / 1000 / CANDLE_SECONDS) * CANDLE_SECONDS + TZ_SHIFT_S;
  let list = candles.get(symbol);
  if (!list) candles.set(symbol, list = []);
  const bar = list.at(-1);
  if (bar && bar.time === time) {
    bar.high = Math.max(bar.high, price); bar.low = Math.min(bar.low, price); bar.close = price;
  } else if (!bar || time > bar.time) {
    list.push({ time, open: price, high: price, low: price, close: price });
    if (list.length > 2000) list.shift();
  } else return; // older than the current bar: out of order across symbols' clocks, ignore
  if (symbol === selected && series) {
    series.update({ ...list.at(-1) });
    $('chart').dataset.points = String(list.length);
  }
}

function createChart() {
  const LC = window.LightweightCharts;
  chart = LC.createChart($('chart'), {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#121722' }, textColor: '#8892a6', fontFamily: 'Inter, system-ui, sans-serif' },
    grid: { vertLines: { color: '#1b2230' }, horzLines: { color: '#1b2230' } },
    rightPriceScale: { borderColor: '#232b3b' },
    timeScale: { borderColor: '#232b3b', timeVisible: true, secondsVisible: true, rightOffset: 4, barSpacing: 9 },
    crosshair: { mode: 0 },
  });
  series = chart.addSeries(LC.CandlestickSeries, {
    upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350',
  });
}

// ---- time & sales of the selected symbol ----
function onTrade(d, meta) {
  const tape = $('tape');
  const li = document.createElement('li');
  const cls = d.side === 'buy' ? 'up' : 'down';
  for (const [text, c] of [[clock(meta.ts ?? Date.now()), 'time'], [money(d.price), cls], [String(d.size), '']]) {
    const s = document.createElement('span'); s.textContent = text; if (c) s.className = c; li.append(s);
  }
  tape.prepend(li);
  while (tape.children.length > MAX_TAPE) tape.lastChild.remove();
}

let client = null;
function selectSymbol(symbol) {
  if (symbol === selected) return;
  if (selected) { client.unsubscribe('trades:' + selected); rows.get(selected).tr.classList.remove('selected'); }
  selected = symbol;
  rows.get(symbol).tr.classList.add('selected');
  $('chart-symbol').textContent = symbol;
  const row = rows.get(symbol);
  $('chart-last').textContent = row.last == null ? '–' : money(row.last);
  $('chart-chg').textContent = '';
  $('tape').replaceChildren();
  const list = candles.get(symbol) ?? [];
  series?.setData(list.map((b) => ({ ...b })));
  $('chart').dataset.points = String(list.length);
  client.subscribe('trades:' + symbol, { onEvent: onTrade }).catch(() => {});
}

// ---- account ----
function setValue(el, v) {
  const before = parseFloat(el.textContent.replace(/,/g, ''));
  el.textContent = money(v);
  if (!Number.isNaN(before) && before !== Number(v)) {
    el.className = 'value ' + (Number(v) > before ? 'up' : 'down');
    setTimeout(() => { el.className = 'value'; }, 900);
  }
}

function onAccount(d, meta) {
  demo.accountSeqNos.push(d.seq_no);
  if (d.type === 'balance') { setValue($('cash'), d.cash); setValue($('equity'), d.equity); return; }
  if (d.type !== 'fill') return;
  const li = document.createElement('li');
  li.className = 'new';
  li.dataset.seqNo = d.seq_no;
  const parts = [[clock(meta.ts ?? Date.now()), 'time'], [d.side.toUpperCase(), 'side-' + d.side], [d.symbol, ''], [String(d.qty), ''], [money(d.price), '']];
  for (const [text, c] of parts) { const s = document.createElement('span'); s.textContent = text; if (c) s.className = c; li.append(s); }
  const list = $('fills');
  list.prepend(li);
  while (list.children.length > MAX_FILLS_SHOWN) list.lastChild.remove();
}

function onAccountReset(r) {
  demo.resets.push(r);
  $('account-note').textContent = 'History unavailable (' + r.reason + '): balances refresh with the next fill';
  $('account-note').className = 'hint notice';
}

// ---- start ----
async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function main() {
  setInterval(() => { $('clock').textContent = new Date().toLocaleTimeString('en-GB', { hour12: false }); }, 1000);
  let symbols;
  for (;;) {
    try { ({ symbols } = await getJson('/dev/symbols')); break; } catch { await new Promise((r) => setTimeout(r, 2000)); }
  }
  buildBoard(symbols);
  if (window.LightweightCharts) createChart(); else $('chart').textContent = 'Chart library missing from this build.';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  client = demo.client = new TickwireClient({
    url,
    token: async () => (await getJson(`/dev/token?sub=demo-user&rooms=${encodeURIComponent(ACCOUNT_ROOM)}`)).token,
  });
  client.on('state', showState);
  client.on('reconnect', () => { $('conn-text').textContent = 'Server restarting…'; }); // a 1012 follows shortly
  for (const symbol of symbols) client.subscribe('price:' + symbol, { onEvent: onPrice, onSnapshot: onPrice });
  client.subscribe(ACCOUNT_ROOM, { onEvent: onAccount, onReset: onAccountReset });
  selectSymbol(symbols[0]);
}
main();
