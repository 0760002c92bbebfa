// tests/viewer_test.mjs: `./lab trace` in a real browser (see tests/viewer.cmake).
//
//   node tests/viewer_test.mjs CASE
//
// CASE is the name of a reference trace in results/reference/timelines/ (select-mixed,
// threads-cpu, fork-io, ...), or `empty-trace` or `bad-files`. For a reference trace it starts
// `./lab trace FILE --no-open --port 0` (the very command a student runs), opens the URL it
// prints in Debian's Chromium, headless, driven by playwright-core from build/viewer/ (which
// ./lab setup installs), and checks from the page, in speedscope's own DOM (the toolbar's
// profile name, the Sandwich view's table of frames):
//   - speedscope shows one profile for every thread and process of the trace, named by the
//     trace's process and thread names (the server's "event loop", "client thread 0", ...),
//     and one for each async slice track of the converted copy (the select loop's io_wait);
//   - every span name of the trace (accept, read, cpu, io_wait, wait, the clients' request)
//     is a frame of the profile of the thread it was recorded on;
//   - the page asked nothing of any host but 127.0.0.1;
// and keeps screenshots in build/viewer-test/: CASE.png, the first server thread or process
// that ran a request's CPU work (Time Order view), and CASE-profiles.png, speedscope's list of
// the profiles.
// `empty-trace` serves a trace with names but no spans and expects speedscope to say it has
// nothing (its alert) and to show no profile: the check above fails when a trace did not load.
// `bad-files` expects `./lab trace` to refuse a missing file, a non-JSON file and a JSON file
// that is no trace, with one line on stderr and status 2.
// Fails (status 1) on anything else, including a missing Chromium or npm package; stops its
// server and browser itself, and gives up after WATCHDOG_MS.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAB = path.join(ROOT, 'lab');
const VIEWER_MODULES = path.join(ROOT, 'build', 'viewer', 'node_modules');
const OUT_DIR = path.join(ROOT, 'build', 'viewer-test');
const REFERENCE = path.join(ROOT, 'results', 'reference', 'timelines');
const CHROMIUM = '/usr/bin/chromium';
// As root Chromium needs --no-sandbox; the rest keep it off the network (the machine has
// none, and Chromium would try Google's hosts at every start) and start it clean.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];
const WATCHDOG_MS = 100_000;   // ctest's TIMEOUT is 120 s
const SERVER_START_MS = 20_000;
const LOAD_MS = 30_000;        // speedscope shows a profile or an error within this
const STOP_MS = 5_000;

// What each reference trace must show at the least, so the checks cannot pass empty-handed:
// thread names, and span names (the async ones included).
const MUST_SHOW = {
  'select-mixed': { threads: ['event loop', 'client 1', 'client 3'],
                    spans: ['cpu', 'read', 'wait', 'io_wait', 'request'] },
  'threads-cpu': { threads: ['main: accept loop', 'client thread 0', 'client thread 2'],
                   spans: ['accept', 'read', 'cpu', 'request'] },
  'fork-io': { threads: ['main: accept loop', 'child'],
               spans: ['accept', 'read', 'cpu', 'io_wait', 'request'] },
};

const cleanups = [];
let failures = 0;
function fail(message) { console.log(`FAIL: ${message}`); failures++; }
function pass(message) { console.log(`ok: ${message}`); }
async function cleanUp() {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch (e) { console.log(`cleanup: ${e.message}`); }
  }
}

// ---- the trace itself: what the page must show --------------------------------------------

// The profiles and frames speedscope must show for a trace file: per track (pid, tid, or an
// async slice's name and id), the process and thread names and the span names on it.
function expectedTracks(trace) {
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const processes = new Map(), threads = new Map(), tracks = new Map();
  for (const ev of events) {
    if (ev.ph === 'M' && ev.name === 'process_name') processes.set(ev.pid, ev.args.name);
    if (ev.ph === 'M' && ev.name === 'thread_name') threads.set(`${ev.pid}:${ev.tid}`, ev.args.name);
  }
  const track = (key, make) => tracks.get(key) ?? tracks.set(key, make()).get(key);
  for (const ev of events) {
    if (ev.ph === 'X') {
      track(`${ev.pid}:${ev.tid}`, () => ({
        pid: ev.pid, process: processes.get(ev.pid), thread: threads.get(`${ev.pid}:${ev.tid}`),
        // speedscope's profile name for a thread with both names.
        title: `${processes.get(ev.pid)} (pid ${ev.pid}), ${threads.get(`${ev.pid}:${ev.tid}`)} (tid ${ev.tid})`,
        spans: new Set() })).spans.add(ev.name);
    } else if (ev.ph === 'b') {
      const id = ev.id ?? ev.id2?.local ?? ev.id2?.global;
      track(`${ev.pid}:async:${ev.name}:${id}`, () => ({
        pid: ev.pid, process: processes.get(ev.pid), thread: `${ev.name} of task ${id} (async)`,
        // The converted copy's async track (harness/viewer/serve.py); its tid is made up.
        titlePrefix: `${processes.get(ev.pid)} (pid ${ev.pid}), ${ev.name} of task ${id} (async) (tid `,
        spans: new Set() })).spans.add(ev.name);
    }
  }
  return [...tracks.values()];
}

// ---- ./lab trace ---------------------------------------------------------------------------

// Starts `./lab trace FILE --no-open --port 0` in a process group of its own; resolves to the
// viewer URL it prints, and registers its stop (SIGTERM, then a check that it exited 0).
function startLabTrace(file) {
  const child = spawn(LAB, ['trace', file, '--no-open', '--port', '0'],
                      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '', exited = null;
  const exit = new Promise(resolve => child.on('exit', (code, signal) => {
    exited = { code, signal }; resolve(exited);
  }));
  cleanups.push(async () => {
    if (exited) return;
    process.kill(-child.pid, 'SIGTERM');
    const result = await Promise.race([exit, sleep(STOP_MS).then(() => null)]);
    if (!result) {
      process.kill(-child.pid, 'SIGKILL');
      fail(`./lab trace did not stop within ${STOP_MS} ms of SIGTERM`);
    } else if (result.code !== 0) {
      fail(`./lab trace exited with ${JSON.stringify(result)} on SIGTERM, not 0`);
    } else {
      pass('./lab trace stopped on SIGTERM with status 0');
    }
  });
  child.stderr.on('data', d => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `./lab trace printed no URL within ${SERVER_START_MS} ms; stderr: ${stderr.trim()}`)),
      SERVER_START_MS);
    child.stdout.on('data', d => {
      stdout += d;
      const m = /^viewer: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(stdout);
      if (m) { clearTimeout(timer); resolve({ url: m[1], stderr: () => stderr }); }
    });
    exit.then(r => { clearTimeout(timer); reject(new Error(
      `./lab trace exited (${JSON.stringify(r)}) before printing a URL; stderr: ${stderr.trim()}`)); });
  });
}

// ---- the browser and the page --------------------------------------------------------------

// What the browser cases need, checked before anything starts (so that ./lab trace, which
// installs missing npm packages, never does it here): Debian's Chromium, and the npm
// packages of harness/viewer/package-lock.json installed in build/viewer/.
function loadPlaywright() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: ./lab setup installs Debian's chromium`);
  }
  const lock = path.join(ROOT, 'harness', 'viewer', 'package-lock.json');
  const installed = path.join(VIEWER_MODULES, '..', 'installed-lock.json');
  if (!fs.existsSync(installed) || !fs.readFileSync(lock).equals(fs.readFileSync(installed))) {
    throw new Error('the npm packages of harness/viewer/package-lock.json are not installed in ' +
                    'build/viewer/ (or are stale): ./lab setup installs them');
  }
  try {
    return createRequire(path.join(VIEWER_MODULES, 'noop.js'))('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core does not load from build/viewer/ (${e.message})`);
  }
}

async function openBrowser(playwright) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-viewer-test-'));
  cleanups.push(async () => fs.rmSync(profile, { recursive: true, force: true }));
  const context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 800 }, timeout: 30_000,
  });
  cleanups.push(async () => context.close());
  return context;
}

// In the page: the toolbar's profile name and its "(i/n)", or null while there is none.
function readToolbar() {
  for (const counter of document.querySelectorAll('span > span')) {
    const m = /^\((\d+)\/(\d+)\)$/.exec(counter.textContent.trim());
    if (m && counter.offsetParent !== null) {
      return { title: counter.parentElement.firstChild.textContent.trim(),
               index: Number(m[1]), count: Number(m[2]) };
    }
  }
  return null;
}

// In the page: the Symbol Name column of the Sandwich view's table, every row (the table
// draws only the rows in view, so it is scrolled through).
async function readSandwichNames() {
  const rows = () => [...document.querySelectorAll('tr')]
    .filter(r => !r.title && r.cells.length === 3 && r.cells[0].tagName === 'TD' &&
                 r.offsetParent !== null);
  const names = new Set();
  const first = rows()[0];
  let box = first?.parentElement ?? null;
  while (box && box !== document.body && box.scrollHeight <= box.clientHeight) box = box.parentElement;
  if (box === document.body) box = null;
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  if (box) { box.scrollTop = 0; await frame(); }
  for (let step = 0; step < 1000; step++) {
    for (const r of rows()) names.add(r.cells[2].textContent.trim());
    if (!box || box.scrollTop + box.clientHeight >= box.scrollHeight) break;
    box.scrollTop += Math.max(1, Math.floor(box.clientHeight / 2));
    await frame();
  }
  return [...names];
}

// Loads the viewer URL; resolves to { profiles: [{ title, frames }] } once speedscope shows a
// profile, or { error } when it alerts, says something went wrong, or shows nothing in time.
// Also resolves the page's requests to hosts other than 127.0.0.1 (aborted, and reported).
async function loadAndRead(context, url) {
  const page = context.pages()[0] ?? await context.newPage();
  const offHost = [], dialogs = [];
  await page.route('**/*', route => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') {
      return route.continue();
    }
    offHost.push(u.href);
    return route.abort();
  });
  page.on('dialog', d => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(url, { timeout: LOAD_MS });
  const deadline = Date.now() + LOAD_MS;
  let toolbar = null;
  while (Date.now() < deadline) {
    if (dialogs.length) return { error: `speedscope said: ${dialogs[0]}`, offHost, page };
    toolbar = await page.evaluate(readToolbar);
    if (toolbar) break;
    const text = await page.evaluate(() => document.body.innerText);
    if (text.includes('Something went wrong')) {
      return { error: 'speedscope said: Something went wrong', offHost, page };
    }
    await sleep(100);
  }
  if (!toolbar) return { error: `speedscope showed no profile within ${LOAD_MS} ms`, offHost, page };

  // Every profile in turn (speedscope's keys: 3 = Sandwich view, n = next profile).
  await page.keyboard.press('3');
  const profiles = [];
  for (let i = 1; i <= toolbar.count; i++) {
    const now = await waitForToolbar(page, t => t.index === i);
    profiles.push({ title: now.title, frames: await page.evaluate(readSandwichNames) });
    if (i < toolbar.count) await page.keyboard.press('n');
  }
  return { profiles, offHost, page };
}

async function waitForToolbar(page, predicate) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const t = await page.evaluate(readToolbar);
    if (t && predicate(t)) return t;
    if (Date.now() > deadline) throw new Error(`the toolbar never showed the profile asked for (last: ${JSON.stringify(t)})`);
    await sleep(50);
  }
}

// Shows profile number `index` (1-based) in the Time Order view and keeps a screenshot.
async function screenshot(page, index, file) {
  await page.keyboard.press('1');
  for (;;) {
    const t = await page.evaluate(readToolbar);
    if (t.index === index) break;
    await page.keyboard.press(t.index < index ? 'n' : 'p');
    await waitForToolbar(page, u => u.index !== t.index);
  }
  await page.waitForTimeout(300);  // the flame chart draws on the next frames
  await page.screenshot({ path: file });
  console.log(`screenshot: ${path.relative(ROOT, file)}`);
}

// ---- the cases -----------------------------------------------------------------------------

async function referenceCase(name) {
  const file = path.join(REFERENCE, `${name}.json`);
  const tracks = expectedTracks(JSON.parse(fs.readFileSync(file, 'utf8')));
  const must = MUST_SHOW[name];
  if (must) {
    for (const t of must.threads) {
      if (!tracks.some(k => k.thread?.startsWith(t))) fail(`the trace itself has no thread ${t}`);
    }
    for (const s of must.spans) {
      if (!tracks.some(k => k.spans.has(s))) fail(`the trace itself has no span ${s}`);
    }
  }
  if (tracks.length === 0) fail('the trace itself has no spans');
  for (const t of tracks) {
    if (!t.process || !t.thread) fail(`the trace names no process or thread for ${t.title ?? t.titlePrefix}`);
  }
  if (failures) return;

  const playwright = loadPlaywright();
  const { url } = await startLabTrace(file);
  pass(`./lab trace serves ${url}`);
  const context = await openBrowser(playwright);
  const result = await loadAndRead(context, url);
  if (result.error) return fail(`${name}: ${result.error}`);
  const { profiles } = result;
  pass(`speedscope shows ${profiles.length} profiles: ${profiles.map(p => JSON.stringify(p.title)).join(', ')}`);

  for (const t of tracks) {
    const shown = profiles.find(p => t.title ? p.title === t.title : p.title.startsWith(t.titlePrefix));
    if (!shown) { fail(`no profile for ${t.title ?? t.titlePrefix + '...'}`); continue; }
    // A span's frame is its name, or `name (task T)` (the converted copy names the task).
    const missing = [...t.spans].filter(s => !shown.frames.some(f => f === s || f.startsWith(`${s} (task `)));
    if (missing.length) {
      fail(`${shown.title}: no frame for ${missing.join(', ')} (frames shown: ${shown.frames.join(', ')})`);
    } else {
      pass(`${shown.title}: ${[...t.spans].join(', ')}`);
    }
  }
  if (profiles.length !== tracks.length) {
    fail(`${profiles.length} profiles shown for the trace's ${tracks.length} threads and async tracks`);
  }
  if (result.offHost.length) fail(`the page asked other hosts: ${result.offHost.join(', ')}`);

  // The first server thread or process that ran a request's CPU work, as a person would look
  // at it, and the list of every profile (speedscope's menu under the toolbar's name).
  const server = profiles.findIndex(p => !p.title.startsWith('clients') &&
                                         p.frames.some(f => f.startsWith('cpu')));
  if (server < 0) return fail('no profile of a server thread with cpu spans');
  await screenshot(result.page, server + 1, path.join(OUT_DIR, `${name}.png`));
  await result.page.getByText(profiles[server].title, { exact: false }).first().click();
  await result.page.waitForTimeout(300);
  await result.page.screenshot({ path: path.join(OUT_DIR, `${name}-profiles.png`) });
}

// A trace that names its process and threads but has no span: what speedscope makes of it.
async function emptyTraceCase() {
  const source = JSON.parse(fs.readFileSync(path.join(REFERENCE, 'select-mixed.json'), 'utf8'));
  const file = path.join(OUT_DIR, 'empty-trace.json');
  fs.writeFileSync(file, JSON.stringify({
    traceEvents: source.traceEvents.filter(ev => ev.ph === 'M') }));
  const playwright = loadPlaywright();
  const started = await startLabTrace(file);
  const context = await openBrowser(playwright);
  const result = await loadAndRead(context, started.url);
  if (!result.error) {
    return fail(`speedscope showed ${result.profiles.length} profiles for a trace without spans`);
  }
  pass(`a trace without spans does not load: ${result.error}`);
  if (!/empty|Unrecognized|went wrong/.test(result.error)) fail(`an unexpected error: ${result.error}`);
  if (!/has no spans/.test(started.stderr())) fail('./lab trace did not say the trace has no spans');
  await result.page.screenshot({ path: path.join(OUT_DIR, 'empty-trace.png') });
}

// ./lab trace refuses what is no trace: one line on stderr, status 2, no server.
function badFilesCase() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-viewer-bad-'));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const garbage = path.join(dir, 'garbage.json');
  fs.writeFileSync(garbage, '{"traceEvents": [ this is not JSON');
  const notTrace = path.join(dir, 'results.json');
  fs.writeFileSync(notTrace, JSON.stringify({ schema_version: 1, runs: [] }));
  const empty = path.join(dir, 'empty.json');
  fs.writeFileSync(empty, '');
  for (const file of [path.join(dir, 'missing.json'), garbage, notTrace, empty]) {
    const r = spawnSync(LAB, ['trace', file, '--no-open'], { encoding: 'utf8', timeout: 20_000 });
    const lines = r.stderr.split('\n').filter(Boolean);
    if (r.status === 2 && lines.length === 1 && lines[0].includes(file) && !r.stdout.includes('viewer:')) {
      pass(`${path.basename(file)}: status 2, ${lines[0]}`);
    } else {
      fail(`${path.basename(file)}: status ${r.status}, stderr ${JSON.stringify(r.stderr)}, stdout ${JSON.stringify(r.stdout)}`);
    }
  }
}

function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }

async function main() {
  const name = process.argv[2];
  if (!name) throw new Error('give a CASE: a reference trace name, empty-trace or bad-files');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const started = Date.now();
  if (name === 'bad-files') badFilesCase();
  else if (name === 'empty-trace') await emptyTraceCase();
  else await referenceCase(name);
  console.log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const watchdog = setTimeout(async () => {
  fail(`gave up after ${WATCHDOG_MS} ms`);
  await cleanUp();
  process.exit(1);
}, WATCHDOG_MS);

try {
  await main();
} catch (e) {
  fail(e.message);
}
await cleanUp();
clearTimeout(watchdog);
process.exit(failures ? 1 : 0);
