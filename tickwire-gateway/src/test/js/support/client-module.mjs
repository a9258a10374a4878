// Loads the JavaScript client the way an app does: from the gateway's /tickwire.js. Node cannot import
// over HTTP, so the served bytes go to a temporary .mjs file first.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function loadClientModule(httpBase) {
  const res = await fetch(`${httpBase}/tickwire.js`);
  if (res.status !== 200) throw new Error(`/tickwire.js: HTTP ${res.status}`);
  const type = res.headers.get('content-type');
  if (!/^text\/javascript/.test(type)) throw new Error(`/tickwire.js served as ${type}`);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tickwire-js-')), 'tickwire.mjs');
  writeFileSync(file, await res.text());
  return import(file);
}
