// The demo page (`java -jar target/tickwire.jar demo`, page at /) in a real headless Chromium
// (Debian's /usr/bin/chromium, installed by tools/ensure-chromium.sh): prices move, the chart fills,
// and after server-side cuts the page reconnects and its account shows every event exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { startGateway, disconnect, until, sleep } from './support/gateway.mjs';
import { loadClientModule } from './support/client-module.mjs';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../../target/screenshots/', import.meta.url));

let gw, browser, witness;
before(async () => {
  gw = await startGateway('demo');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
});
after(async () => {
  witness?.close();
  await browser?.close();
  await gw?.stop();
});

test('demo page: live board, chart, account complete across reconnects', async (t) => {
  const t0 = Date.now();
  const step = (what) => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  // A second client reads account:1 from before the page opens: the reference for what the page must show.
  const { TickwireClient } = await loadClientModule(gw.http);
  const reference = [];
  const referenceFills = new Set(); // seq_no of the fills (the others are balances)
  witness = new TickwireClient({ url: gw.ws, WebSocket, token: async () => gw.token({ sub: 'witness', rooms: ['account:1'] }) });
  await witness.subscribe('account:1', {
    onEvent: (d) => { reference.push(d.seq_no); if (d.type === 'fill') referenceFills.add(d.seq_no); },
  });

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    await checkPage(page, reference, referenceFills, step);
  } finally {
    // the screenshot is the artifact either way: on a failure it shows what the page showed
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}demo.png`, timeout: 90000 }).catch((e) => t.diagnostic(`no screenshot: ${e.message}`));
  }
});

async function checkPage(page, reference, referenceFills, step) {
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.goto(`${gw.http}/`);
  const pageState = () => page.evaluate(() => ({
    states: window.tickwireDemo.states, seqNos: window.tickwireDemo.accountSeqNos, session: window.tickwireDemo.session,
  }));
  // generous timeouts: CI machines are shared; the assertions are about what happens, not how fast
  const waitFor = (fn, arg, what, timeout = 30000) => page.waitForFunction(fn, arg, { timeout, polling: 100 })
    .catch(async (e) => { throw new Error(`waiting for ${what}: ${e.message}; page: ${JSON.stringify(await pageState().catch(() => null))}`); });

  await waitFor(() => document.getElementById('conn').dataset.state === 'live', null, 'live indicator');
  step('live');
  assert.equal(await page.textContent('#conn-text'), 'Live');

  // prices visibly change: the Last column differs between two looks a second apart
  const lastColumn = () => page.$$eval('#quotes tr td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
  await waitFor(() => [...document.querySelectorAll('#quotes tr td:nth-child(4)')].every((td) => td.textContent !== '–'), null, 'every symbol priced');
  const first = await lastColumn();
  await sleep(1000);
  const second = await lastColumn();
  assert.ok(first.length >= 5, `board rows: ${first.length}`);
  assert.ok(second.filter((v, i) => v !== first[i]).length >= 2, `prices did not move: ${first} / ${second}`);

  step('prices move');
  // the chart draws candles (5 s each) of the selected symbol
  await waitFor(() => Number(document.getElementById('chart').dataset.points) >= 2, null, 'two candles');
  assert.ok(await page.$('#chart canvas'), 'the chart library drew nothing');

  // the account: at least one fill and its balance before the cuts
  await waitFor(() => window.tickwireDemo.accountSeqNos.length >= 2, null, 'account events');

  step('chart and account');
  // Cuts from the server side while the feed runs. After each, the page's next /dev/token answer is held
  // back 3.5 s: the page stays away longer than the simulator's longest time between fills (3 s), so
  // account events are certainly published while it is away and only a working resume can show them.
  let holdTokenMs = 0;
  await page.route('**/dev/token*', async (route) => {
    const hold = holdTokenMs;
    holdTokenMs = 0;
    if (hold) await sleep(hold);
    await route.continue();
  });
  const admin = gw.token({ sub: 'ops', scope: 'tickwire:admin' });
  const cuts = [[1013, 'retry after 1 s'], [1011, 'test cut'], [1012, 'test restart']];
  const codesSeen = [];
  let resumes = 0;
  for (const [code, reason] of cuts) {
    holdTokenMs = 3500;
    const { session, seqNos: { length: before }, states: { length: stateCount } } = await pageState();
    assert.equal((await disconnect(gw.http, admin, session, code, reason)).disconnected, 1);
    // the state log, not the DOM, for the short ones: a reconnect can take less than one polling interval
    await waitFor((n) => window.tickwireDemo.states.slice(n).some((s) => s.state === 'reconnecting'), stateCount,
      `reconnecting after ${code}`);
    const shown = (await pageState()).states.slice(stateCount).find((s) => s.state === 'reconnecting');
    assert.match(shown.text, /^Reconnecting in \d+\.\d s$/);
    // what the page saw: the code sent, or 1006 when the TCP connection ended before the close frame was read
    codesSeen.push(shown.code);
    await waitFor(() => document.getElementById('conn').dataset.state === 'live', null, `live again after ${code}`);
    resumes++;
    step(`resumed after ${code}`);
    assert.equal(await page.textContent('#conn-text'), 'Live · resumed');
    await waitFor((n) => window.tickwireDemo.accountSeqNos.length > n, before, `account events after the ${code} cut`);
  }

  const { states, seqNos } = await pageState();
  assert.ok(states.filter((s) => s.state === 'reconnecting').length >= cuts.length, JSON.stringify(states));
  // nothing missing, nothing doubled: seq_no is the simulator's own counter in account:1 (1, 2, 3...)
  await until(() => reference.length && reference.at(-1) >= seqNos.at(-1), 'the reference client to catch up');
  const from = reference.indexOf(seqNos[0]);
  assert.ok(from >= 0, `page's first event ${seqNos[0]} not among the reference's`);
  const expected = reference.slice(from, from + seqNos.length);
  const seen = new Set(seqNos);
  const report = {
    cuts: cuts.map((c) => c[0]), codesSeen, resumes, accountEvents: seqNos.length, first: seqNos[0], last: seqNos.at(-1),
    losses: expected.filter((n) => !seen.has(n)).length, duplicates: seqNos.length - seen.size,
  };
  console.log('browser reconnection test:', JSON.stringify(report));
  assert.deepEqual(seqNos, expected);
  for (let i = 1; i < seqNos.length; i++) assert.equal(seqNos[i], seqNos[i - 1] + 1, `gap or repeat at ${i}`);

  // The visible fills list (newest first, the latest 60) shows exactly the fills among those events, each once;
  // balances go to the cash and equity tiles.
  const shownFills = await page.$$eval('#fills li', (lis) => lis.map((li) => Number(li.dataset.seqNo)));
  const expectedFills = expected.filter((n) => referenceFills.has(n)).reverse().slice(0, 60);
  assert.ok(expectedFills.length >= 1, "no fill during the test");
  assert.deepEqual(shownFills, expectedFills);
  assert.notEqual(await page.textContent('#cash'), '–');

  step('checked');
  assert.deepEqual(pageErrors, []);
}
