// tests/web_driver.js - drives build/web/index.html in headless Chromium and
// compares its numbers with the native programs'; tests/web.sh runs it.
//
// Talks to Chromium over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages ending in a NUL byte on file
// descriptors 3 and 4), so it needs nothing but Node and Debian's chromium.
//
// Usage: node tests/web_driver.js CHROMIUM PAGE OUTDIR
//   OUTDIR holds what tests/web.sh wrote before: native-relu.txt,
//   native-tanh.txt (build/web/web-native's output), lab-relu/ and
//   lab-tanh/ (initlab --predict's predict.csv and predict.md). Screenshots
//   go to OUTDIR too. Prints one line per test, "ok   NAME" or
//   "FAIL NAME: WHY", and "# ..." notes.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const os = require('os');

const [chromium, page, outDir] = process.argv.slice(2);
let failures = 0;
function result(name, why) {
  if (why) { failures++; console.log(`FAIL ${name}: ${why}`); } else console.log(`ok   ${name}`);
}

// ---- the DevTools protocol over a pipe -----------------------------------------------

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'initnn-web-'));
const browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
  '--no-first-run', '--no-default-browser-check', '--allow-file-access-from-files', `--user-data-dir=${profile}`,
  '--hide-scrollbars', '--force-device-scale-factor=1'],
  { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
browser.stderr.on('data', (d) => { stderr += d; });
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];
let nextId = 1, buffer = '';
const pending = new Map(), listeners = [];
fromBrowser.on('data', (chunk) => {
  buffer += chunk.toString('utf8');
  let end;
  while ((end = buffer.indexOf('\0')) >= 0) {
    const msg = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error.message)); else resolve(msg.result);
    } else if (msg.method) for (const f of listeners) f(msg);
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  toBrowser.write(JSON.stringify(msg) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the native numbers -----------------------------------------------------------------

// web-native's output: rows of the table (full precision), the verdict, the steps.
function readNative(file) {
  const out = { rows: [], steps: [], verdict: '' };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const w = line.split(' ');
    if (w[0] === 'layer') out.rows.push(w.slice(2).map(Number));
    else if (w[0] === 'step') out.steps.push({ loss: Number(w[2]), grad: Number(w[3]) });
    else if (w[0] === 'verdict') out.verdict = line.slice(8);
    else if (w[0] === 'spec') out.spec = w[1];
  }
  return out;
}
// initlab --predict's predict.csv (7 significant digits) and verdict.
function readLab(dir) {
  const lines = fs.readFileSync(path.join(dir, 'predict.csv'), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const rows = lines.slice(1).map((l) => {
    const cells = l.replace(/^"[^"]*"/, 'init').split(',');
    const r = {};
    head.forEach((h, i) => { r[h] = cells[i] === '' ? NaN : Number(cells[i]); });
    return r;
  });
  const md = fs.readFileSync(path.join(dir, 'predict.md'), 'utf8');
  // The table's one row after its header "| init | verdict |" and "|---|---|".
  const m = [...md.matchAll(/^\| [^|]+ \| (.*) \|$/mg)].filter((x) => !/^(verdict|---)/.test(x[1]));
  return { rows, verdict: m.length ? m[0][1] : '' };
}

// ---- the page ------------------------------------------------------------------------------

async function main() {
  const errors = [];
  listeners.push((msg) => {
    if (msg.method === 'Runtime.consoleAPICalled' && (msg.params.type === 'error' || msg.params.type === 'assert'))
      errors.push('console.error: ' + msg.params.args.map((a) => a.value || a.description).join(' '));
    if (msg.method === 'Runtime.exceptionThrown')
      errors.push('exception: ' + (msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text));
    if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error')
      errors.push('log: ' + msg.params.entry.text + (msg.params.entry.url ? ' (' + msg.params.entry.url + ')' : ''));
  });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const cmd = (m, p) => send(m, p, sessionId);
  await cmd('Runtime.enable');
  await cmd('Log.enable');
  await cmd('Page.enable');
  await cmd('Emulation.setDeviceMetricsOverride', { width: 1280, height: 720, deviceScaleFactor: 1, mobile: false });
  const evaluate = async (expr) => {
    const r = await cmd('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error('in the page: ' + (r.exceptionDetails.exception?.description || r.exceptionDetails.text));
    return r.result.value;
  };
  const waitFor = async (expr, what, ms = 60000) => {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      if (await evaluate(expr)) return true;
      await sleep(50);
    }
    throw new Error('timed out waiting for ' + what);
  };
  const t0 = Date.now();
  await cmd('Page.navigate', { url: 'file://' + path.resolve(page) });
  await waitFor('document.body && document.body.dataset.ready === "1"', 'the first result');
  const firstMs = await evaluate('Number(document.body.dataset.firstResultMs)');
  console.log(`# first result ${firstMs} ms after the page started loading (${Date.now() - t0} ms with the browser's start)`);
  result('web_page_loads_and_shows_a_first_result', '');

  // Sets the controls as a student would and waits for the page's rebuild.
  const setControls = async (values) => {
    await evaluate(`(() => { const v = ${JSON.stringify(values)};
      for (const [id, value] of Object.entries(v)) document.getElementById(id).value = value;
      document.body.dataset.ready = '0';
      document.getElementById('spec').dispatchEvent(new Event('change')); })()`);
    await waitFor('document.body.dataset.ready === "1"', 'the rebuild');
  };
  const readTable = () => evaluate(`(() => {
      const rows = [...document.querySelectorAll('#table-a tr')].slice(1);
      return { rows: rows.map((tr) => [...tr.cells].slice(1).map((td) => Number(td.dataset.value))),
               verdict: document.getElementById('flag-a').dataset.verdict,
               command: document.getElementById('command').textContent }; })()`);
  const common = { data: '0', samples: '400', noise: '0.2', 'data-seed': '0', seed: '1', bias: '', optimizer: '0', lr: '0.01', batch: '32' };

  // Each configuration: the page's table against initlab --predict (its 7
  // digits) and against web-native (every bit, or as stated).
  const configs = [
    { name: 'relu', values: { ...common, depth: '8', width: '32', activation: 'relu', spec: 'he_normal', scale: '0' }, exact: true },
    // The scale slider at 2^-1 on glorot_normal: variance_scaling:0.25,fan_avg,normal.
    { name: 'tanh', values: { ...common, depth: '20', width: '32', activation: 'tanh', spec: 'glorot_normal', scale: '-1' }, exact: false },
  ];
  // page column -> (web-native column, predict.csv column)
  const cols = [[0, 'sigma_w2'], [1, 'sigma_b2'], [2, 'q_predicted'], [3, 'q_measured'], [4, 'delta_predicted'],
                [5, 'delta_measured'], [6, 'chi']];
  for (const c of configs) {
    await setControls(c.values);
    const got = await readTable();
    const native = readNative(path.join(outDir, `native-${c.name}.txt`));
    const lab = readLab(path.join(outDir, `lab-${c.name}`));
    let why = '';
    if (got.rows.length !== lab.rows.length) why = `${got.rows.length} rows on the page, ${lab.rows.length} in predict.csv`;
    for (let r = 0; !why && r < got.rows.length; r++)
      for (const [k, name] of cols) {
        const a = got.rows[r][k], b = lab.rows[r][name];
        // predict.csv has 7 significant digits: equal up to its rounding.
        if (!(Math.abs(a - b) <= 5.01e-7 * Math.abs(b) + 1e-300 || (Number.isNaN(a) && Number.isNaN(b)))) {
          why = `layer ${r + 1} ${name}: page ${a}, initlab --predict ${b}`;
          break;
        }
      }
    result(`web_prediction_table_equals_initlab_predict_${c.name}`, why);
    result(`web_verdict_equals_initlab_predict_${c.name}`,
      got.verdict === lab.verdict ? '' : `page "${got.verdict}", initlab "${lab.verdict}"`);
    // Against the native build of the same glue: the theory's columns
    // (sigma_w2, sigma_b2, q_predicted, chi) bit for bit; the measured ones
    // bit for bit for ReLU, within 1e-6 relative for tanh, whose tanhf comes
    // from a different libm (glibc natively, musl in the page).
    why = '';
    let worst = 0;
    for (let r = 0; !why && r < got.rows.length; r++)
      for (const [k, name] of cols) {
        const a = got.rows[r][k], b = native.rows[r][k];
        const exact = c.exact || k === 0 || k === 1 || k === 2;
        const rel = a === b ? 0 : Math.abs(a - b) / Math.abs(b);
        if (k !== 6) worst = Math.max(worst, rel);
        if (exact ? a !== b : !(rel <= 1e-6)) { why = `layer ${r + 1} ${name}: page ${a}, native ${b}`; break; }
      }
    console.log(`# ${c.name}: largest relative difference page/native in the table ${worst.toExponential(2)}`);
    result(`web_prediction_table_matches_native_${c.name}${c.exact ? '_bit_for_bit' : '_within_1e-6'}`, why);
  }

  // 100 training steps of the ReLU net with the Step button: the loss and
  // gradient norm of every step equal the native build's, bit for bit.
  await setControls(configs[0].values);
  await evaluate(`document.getElementById('step-size').value = '100'; document.getElementById('step').click();`);
  await waitFor('document.body.dataset.steps === "100"', '100 training steps');
  const trained = await evaluate(`(() => { const d = document.getElementById('readout-a').dataset;
      return { steps: Number(d.steps), loss: Number(d.loss), grad: Number(d.gradNorm) }; })()`);
  const native = readNative(path.join(outDir, 'native-relu.txt'));
  const last = native.steps[native.steps.length - 1];
  console.log(`# after 100 steps: page loss ${trained.loss}, native ${last.loss}; gradient norm page ${trained.grad}, native ${last.grad}`);
  result('web_100_step_training_loss_equals_native_bit_for_bit',
    native.steps.length !== 100 ? `native ran ${native.steps.length} steps` :
    trained.steps !== 100 ? `the page ran ${trained.steps} steps` :
    Math.fround(trained.loss) !== Math.fround(last.loss) ? `loss: page ${trained.loss}, native ${last.loss}` :
    trained.grad !== last.grad ? `gradient norm: page ${trained.grad}, native ${last.grad}` : '');

  // The comparison view and the phase diagram run without errors too.
  // A 20-layer ReLU net from glorot_normal (A) against he_normal (B).
  await evaluate(`document.getElementById('compare').checked = true; document.getElementById('compare-b').hidden = false;`);
  await setControls({ ...common, depth: '20', width: '32', activation: 'relu', spec: 'glorot_normal', scale: '0', 'spec-b': 'he_normal' });
  await waitFor('document.getElementById("flag-b").textContent.length > 0', 'init B');
  await evaluate(`document.getElementById('step-size').value = '50'; document.body.dataset.steps = ''; document.getElementById('step').click();`);
  await waitFor('document.body.dataset.steps === "50"', 'the comparison to train');
  await waitFor('document.body.dataset.phase === "done"', 'the phase diagram');

  // A click on the phase diagram (a real mouse event, at sigma_w^2 = 2.25,
  // sigma_b^2 = 0.25, the middle of its axes) sets net A's init: tanh,
  // variance_scaling:2.25,fan_in,normal and a bias of std 0.5.
  const box = await evaluate(`(() => { const c = document.getElementById('phase'); c.scrollIntoView();
      const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; })()`);
  const px = box.x + 36 + 0.5 * (box.w - 42), py = box.y + 6 + 0.5 * (box.h - 36);
  await evaluate(`document.body.dataset.ready = '0'`);
  for (const type of ['mousePressed', 'mouseReleased'])
    await cmd('Input.dispatchMouseEvent', { type, x: px, y: py, button: 'left', clickCount: 1 });
  await waitFor('document.body.dataset.ready === "1"', 'the init from the phase diagram');
  const fromPhase = await evaluate(`[document.getElementById('activation').value, document.getElementById('spec').value,
      document.getElementById('bias').value]`);
  result('web_phase_diagram_click_sets_the_init',
    fromPhase[0] === 'tanh' && /^variance_scaling:2\.2[0-9],fan_in,normal$/.test(fromPhase[1]) && /^random_normal:0\.[45][0-9]+$/.test(fromPhase[2])
      ? '' : 'the controls became ' + fromPhase.join(' | '));
  await evaluate('window.scrollTo(0, 0)');

  // Screenshots: the lecture projector and a phone.
  const shot = async (file, full) => {
    const params = { format: 'png' };
    if (full) {
      const { cssContentSize } = await cmd('Page.getLayoutMetrics');
      params.clip = { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height, scale: 1 };
      params.captureBeyondViewport = true;
    }
    const { data } = await cmd('Page.captureScreenshot', params);
    fs.writeFileSync(path.join(outDir, file), Buffer.from(data, 'base64'));
  };
  await shot('web-1280x720.png', false);
  await shot('web-1280-full.png', true);
  await cmd('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
  await sleep(400);
  const overflow = await evaluate('document.documentElement.scrollWidth - window.innerWidth');
  await shot('web-390x844.png', false);
  await shot('web-390-full.png', true);
  result('web_page_fits_a_phone_width_without_horizontal_scrolling', overflow > 0 ? `${overflow} px too wide at 390 px` : '');
  const unlabelled = await evaluate(`[...document.querySelectorAll('input, select, button')].filter((e) =>
      !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim())).map((e) => e.id)`);
  result('web_every_control_has_a_label', unlabelled.length ? 'no label: ' + unlabelled.join(', ') : '');
  result('web_no_console_errors', errors.length ? errors.join('; ') : '');
  console.log(`# screenshots: ${outDir}/web-1280x720.png, web-390x844.png (and *-full.png)`);
}

const timer = setTimeout(() => { console.log('FAIL web_browser_test: timed out after 180 s'); process.exit(1); }, 180000);
main().catch((e) => { result('web_browser_test', e.message + (stderr ? ' (chromium: ' + stderr.split('\n').slice(-3).join(' ') + ')' : '')); })
  .finally(async () => {
    clearTimeout(timer);
    try { await Promise.race([send('Browser.close'), sleep(2000)]); } catch (e) { /* closing anyway */ }
    const exited = new Promise((r) => browser.once('exit', r));
    browser.kill();
    await Promise.race([exited, sleep(3000)]);
    try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* a file chromium still wrote */ }
    process.exit(failures ? 1 : 0);
  });
