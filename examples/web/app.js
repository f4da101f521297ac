// app.js - the page's behaviour: reads the controls, calls initnn (compiled
// from initnn_web.c to WebAssembly, loaded by initnn_wasm.js as
// createInitnn), draws the results on canvases. No library, no framework.
//
// Long work never blocks the page for long: training runs in slices of about
// 15 ms per animation frame, and the phase diagram is computed a few rows a
// frame. The status line says what is being done.
'use strict';

const $ = (id) => document.getElementById(id);
const COLORS = { a: '#1f6fd1', b: '#d1591f', pred: '#111111', band: 'rgba(27,122,58,0.09)', grid: '#e6e8ee', text: '#5b6475' };
const CLASS_COLORS = [[31, 111, 209], [209, 89, 31], [40, 150, 70]];

let M = null;      // the WebAssembly module
let C = {};        // its functions
const state = {
  models: [],      // per model: { spec, rows, table, hist, init, loss: [], grad: [], grid, verdict }
  training: false,
  dirty: true,     // the net must be rebuilt before the next step
  phase: null,     // { nw, nb, w0, w1, b0, b1, chi, line }
  phaseRow: 0,
  firstResultMs: null,
  lastGrid: 0,
};

// ---- the module's functions ---------------------------------------------------

function bind() {
  const n = 'number', s = 'string';
  const f = (name, ret, args) => M.cwrap(name, ret, args);
  C = {
    data: f('web_data', n, [n, n, n, n, n]),
    dataCount: f('web_data_count', n, []),
    trainCount: f('web_data_train_count', n, []),
    classes: f('web_data_classes', n, []),
    dataX: f('web_data_x', n, []),
    dataLabels: f('web_data_labels', n, []),
    inputM2: f('web_input_second_moment', n, []),
    scaledSpec: f('web_scaled_spec', n, [s, n]),
    create: f('web_model_create', n, [n, n, n, s, s, s, n, n, n, n]),
    free: f('web_model_free', null, [n]),
    predict: f('web_model_predict', n, [n]),
    measure: f('web_model_measure', n, [n]),
    table: f('web_model_table', n, [n]),
    hist: f('web_model_hist', n, [n]),
    verdict: f('web_model_verdict', s, [n]),
    columns: f('web_table_columns', n, []),
    bins: f('web_bins', n, []),
    train: f('web_model_train', n, [n, n]),
    loss: f('web_model_loss', n, [n]),
    gradNorm: f('web_model_grad_norm', n, [n]),
    steps: f('web_model_steps', n, [n]),
    test: f('web_model_test', n, [n, n]),
    grid: f('web_model_grid', n, [n, n, n, n, n, n, n]),
    phaseRow: f('web_phase_row', n, [n, n, n, n, n]),
    critical: f('web_critical_line', n, [n, n, n, n]),
    message: f('web_message', s, []),
  };
}

// Column indices of web_model_table's rows (initnn_web.c).
const COL = { SW2: 0, SB2: 1, QP: 2, QM: 3, DP: 4, DM: 5, CHI: 6, ZERO: 7, SAT: 8, LO: 9, HI: 10 };

function status(text) { $('status').textContent = text; }
function fail(what) { const m = C.message(); status(what + ': ' + m); return m; }

function num(id, lo, hi, fallback) {
  const v = Number($(id).value);
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}
function scaleOf(id) { return Math.pow(2, Number($(id).value)); }
function fmt(v, digits = 4) {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

// The configuration the controls describe.
function config() {
  return {
    data: num('data', 0, 2, 0), samples: Math.round(num('samples', 50, 5000, 400)), noise: num('noise', 0, 2, 0.2),
    dataSeed: Math.round(num('data-seed', 0, 2147483647, 0)),
    depth: Math.round(num('depth', 1, 200, 20)), width: Math.round(num('width', 1, 256, 32)),
    activation: $('activation').value, spec: $('spec').value.trim(), scale: scaleOf('scale'),
    bias: $('bias').value.trim(), seed: Math.round(num('seed', 0, 2147483647, 1)),
    optimizer: num('optimizer', 0, 1, 0), lr: num('lr', 0, 10, 0.01), batch: Math.round(num('batch', 1, 2000, 32)),
    compare: $('compare').checked, specB: $('spec-b').value.trim(), scaleB: scaleOf('scale-b'),
  };
}

// ---- building and measuring -----------------------------------------------------

function readTable(which, rows) {
  const cols = C.columns(), p = C.table(which) / 8;
  const out = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(M.HEAPF64.subarray(p + r * cols, p + (r + 1) * cols)));
  return out;
}
function readHist(which, rows) {
  const bins = C.bins(), p = C.hist(which) / 8;
  return Array.from({ length: rows }, (_, r) => M.HEAPF64.subarray(p + r * bins, p + (r + 1) * bins).slice());
}

// Rebuilds data and nets from the controls, runs the prediction, draws.
function rebuild() {
  const t0 = performance.now();
  const c = config();
  state.training = false;
  $('train').textContent = 'Train';
  status('Building the data and the net…');
  if (C.data(c.data, c.samples, c.noise, c.dataSeed, 1) !== 0) return fail('data');
  const specs = [[c.spec, c.scale]];
  if (c.compare) specs.push([c.specB, c.scaleB]);
  state.models = [];
  C.free(1);
  for (let i = 0; i < specs.length; i++) {
    const p = C.scaledSpec(specs[i][0], specs[i][1]);
    if (!p) { clearViews(); return fail('init spec ' + 'AB'[i]); }
    const spec = M.UTF8ToString(p);
    if (C.create(i, c.depth, c.width, c.activation, spec, c.bias, c.seed, c.optimizer, c.lr, c.batch) !== 0) {
      clearViews();
      return fail('net ' + 'AB'[i]);
    }
    const rows = C.predict(i);
    if (rows < 0) { clearViews(); return fail('prediction ' + 'AB'[i]); }
    const table = readTable(i, rows);
    state.models.push({
      spec, rows, table, init: table.map((r) => r[COL.QM]), initD: table.map((r) => r[COL.DM]), hist: readHist(i, rows), verdict: C.verdict(i),
      loss: [], grad: [], grid: null, testAcc: C.test(i, 1),
    });
  }
  state.inputM2 = C.inputM2();
  state.dirty = false;
  updateCommand(c);
  drawInit();
  state.lastGrid = 0;
  updateGrids(true);
  drawTraining();
  drawPhase();
  const ms = performance.now() - t0;
  if (state.firstResultMs === null) {
    state.firstResultMs = performance.now();
    document.body.dataset.firstResultMs = state.firstResultMs.toFixed(0);
  }
  status(`Ready: prediction and measurement of ${state.models.length > 1 ? 'both nets' : 'the net'} in ${ms.toFixed(0)} ms` +
         (state.phase && state.phaseRow < state.phase.nb ? '; computing the phase diagram…' : ''));
  document.body.dataset.ready = '1';
}

function clearViews() {
  state.models = [];
  for (const id of ['flag-a', 'flag-b']) { $(id).textContent = ''; $(id).className = 'flag'; }
  $('table-a').textContent = '';
  drawInit();
  drawTraining();
}

function updateCommand(c) {
  const names = ['moons', 'circles', 'spirals'];
  const spec = state.models[0] ? state.models[0].spec : c.spec;
  let cmd = `./initlab --predict --data ${names[c.data]} --samples ${c.samples} --noise ${c.noise} --data-seed ${c.dataSeed}` +
    ` --standardize --test-split 0.3 --val test --hidden ${c.width}x${c.depth} --activation ${c.activation} --init '${spec}'`;
  if (c.bias) cmd += ` --bias-init '${c.bias}'`;
  if (c.data === 2) cmd += ' --classes 3';
  if (c.data === 1) cmd += ' --factor 0.5';
  $('command').textContent = cmd + (c.seed !== 1 ? `   (the lab's --predict uses seed 1; this page uses seed ${c.seed})` : '');
}

// ---- training ----------------------------------------------------------------------

// Runs n steps on every model; returns false on an error.
function trainSteps(n) {
  for (let i = 0; i < state.models.length; i++) {
    const m = state.models[i];
    for (let s = 0; s < n; s++) {
      if (C.train(i, 1) !== 1) { fail('training ' + 'AB'[i]); return false; }
      m.loss.push(C.loss(i));
      m.grad.push(C.gradNorm(i));
    }
  }
  return true;
}

function afterSteps(force) {
  for (let i = 0; i < state.models.length; i++) {
    const m = state.models[i];
    if (C.measure(i) < 0) { fail('measurement'); return; }
    const t = readTable(i, m.rows);
    for (let r = 0; r < m.rows; r++) { m.table[r][COL.QM] = t[r][COL.QM]; m.table[r][COL.DM] = t[r][COL.DM]; }
    m.hist = readHist(i, m.rows);
    m.testAcc = C.test(i, 1);
  }
  updateGrids(force);
  drawTraining();
  drawHistograms();
}

function loop() {
  if (!state.training) return;
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 15) {
    if (!trainSteps(1)) { state.training = false; $('train').textContent = 'Train'; return; }
    n++;
  }
  afterSteps(false);
  status(`Training: step ${C.steps(0)} (${n} step${n > 1 ? 's' : ''} this frame)`);
  requestAnimationFrame(loop);
}

function ensureBuilt() { if (state.dirty || !state.models.length) rebuild(); return state.models.length > 0; }

function onTrain() {
  if (!ensureBuilt()) return;
  state.training = !state.training;
  $('train').textContent = state.training ? 'Pause' : 'Train';
  if (state.training) requestAnimationFrame(loop);
  else status(`Paused at step ${C.steps(0)}`);
}

function onStep() {
  if (!ensureBuilt()) return;
  state.training = false;
  $('train').textContent = 'Train';
  const n = Math.round(num('step-size', 1, 10000, 1));
  status(`Training ${n} step${n > 1 ? 's' : ''}…`);
  // Let the status line show before the work starts.
  setTimeout(() => {
    if (trainSteps(n)) {
      afterSteps(true);
      status(`Stepped to step ${C.steps(0)}`);
    }
    document.body.dataset.steps = String(C.steps(0));
  }, 0);
}

// ---- drawing ------------------------------------------------------------------------

// A canvas sized to its CSS box at the device's pixel ratio; returns its
// context scaled so that drawing is in CSS pixels.
function ctxOf(canvas) {
  const r = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
    canvas.width = Math.round(w * r);
    canvas.height = Math.round(h * r);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  return { ctx, w, h };
}

// A log-scale chart frame over [lo, hi] (decades); returns y(v).
function logFrame(ctx, w, h, lo, hi, pad, band) {
  const y = (v) => pad.t + (h - pad.t - pad.b) * (Math.log10(hi) - Math.log10(Math.max(v, lo))) / (Math.log10(hi) - Math.log10(lo));
  if (band) { ctx.fillStyle = COLORS.band; ctx.fillRect(pad.l, y(band[1]), w - pad.l - pad.r, y(band[0]) - y(band[1])); }
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const step = Math.max(1, Math.ceil((Math.log10(hi) - Math.log10(lo)) / 6));
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e += step) {
    ctx.beginPath(); ctx.moveTo(pad.l, y(10 ** e)); ctx.lineTo(w - pad.r, y(10 ** e)); ctx.stroke();
    ctx.fillText('1e' + e, pad.l - 3, y(10 ** e));
  }
  return y;
}

function range(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (lo === Infinity) return [0.1, 10];
  return [10 ** Math.floor(Math.log10(lo) - 0.05), 10 ** Math.ceil(Math.log10(hi) + 0.05)];
}

// Per-layer bars (measured) and lines (predicted), log scale; one group per model.
function drawLayerChart(canvas, series, band, note) {
  const { ctx, w, h } = ctxOf(canvas);
  if (!series.length) return;
  const all = [];
  for (const s of series) all.push(...s.bars, ...s.line, ...(band || []));
  const [lo, hi] = range(all);
  const pad = { l: 38, r: 6, t: 14, b: 20 };
  const y = logFrame(ctx, w, h, lo, hi, pad, band);
  const n = series[0].bars.length, slot = (w - pad.l - pad.r) / n, groups = series.length;
  series.forEach((s, g) => {
    ctx.fillStyle = s.color;
    ctx.globalAlpha = 0.75;
    for (let i = 0; i < n; i++) {
      const v = s.bars[i];
      if (!(v > 0)) continue;
      const x = pad.l + i * slot + g * slot / groups, bw = Math.max(1, slot / groups - (slot > 4 ? 1 : 0));
      ctx.fillRect(x, y(v), bw, h - pad.b - y(v));
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = groups > 1 ? s.color : COLORS.pred;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(groups > 1 && g === 1 ? [4, 3] : []);
    ctx.beginPath();
    s.line.forEach((v, i) => { const x = pad.l + (i + 0.5) * slot; if (i) ctx.lineTo(x, y(v)); else ctx.moveTo(x, y(v)); });
    ctx.stroke();
    ctx.setLineDash([]);
    if (n <= 40) {
      ctx.fillStyle = groups > 1 ? s.color : COLORS.pred;
      s.line.forEach((v, i) => { ctx.beginPath(); ctx.arc(pad.l + (i + 0.5) * slot, y(v), 2, 0, 7); ctx.fill(); });
    }
  });
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  const every = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i += every) ctx.fillText(String(i + 1), pad.l + (i + 0.5) * slot, h - 6);
  ctx.textAlign = 'left';
  ctx.fillText(note, pad.l + 2, 10);
}

function drawInit() {
  const ms = state.models, m2 = state.inputM2 || 1;
  const q = ms.map((m, i) => ({ color: i ? COLORS.b : COLORS.a, bars: m.init.map((v) => v / m2), line: m.table.map((r) => r[COL.QP] / m2) }));
  drawLayerChart($('chart-q'), q, [0.1, 10], 'layer →   E[z²]/E[x²]');
  const d = ms.map((m, i) => ({ color: i ? COLORS.b : COLORS.a, bars: m.table.map((r) => r[COL.DM]), line: m.table.map((r) => r[COL.DP]) }));
  drawLayerChart($('chart-d'), d, null, 'layer →   E[δ²]');
  ms.forEach((m, i) => {
    const el = $(i ? 'flag-b' : 'flag-a');
    el.textContent = (ms.length > 1 ? ('AB'[i] + ' (' + m.spec + '): ') : (m.spec + ': ')) + m.verdict;
    el.className = 'flag ' + (m.verdict.startsWith('FLAGGED') ? 'bad' : 'good') + (i ? ' only-b' : '');
    el.dataset.verdict = m.verdict;
  });
  for (const el of document.querySelectorAll('.only-b')) el.hidden = ms.length < 2;
  drawHistograms();
  writeTable();
}

function writeTable() {
  const t = $('table-a');
  t.textContent = '';
  const m = state.models[0];
  if (!m) return;
  const head = ['layer', 'σw²', 'σb²', 'E[z²] predicted', 'E[z²] measured', 'E[δ²] predicted', 'E[δ²] measured', 'χ'];
  const keys = [null, COL.SW2, COL.SB2, COL.QP, COL.QM, COL.DP, COL.DM, COL.CHI];
  const tr = t.insertRow();
  for (const h of head) { const th = document.createElement('th'); th.textContent = h; th.scope = 'col'; tr.appendChild(th); }
  m.table.forEach((row, r) => {
    const tr = t.insertRow();
    tr.insertCell().textContent = String(r + 1);
    keys.slice(1).forEach((k, j) => {
      const v = k === COL.QM ? m.init[r] : k === COL.DM ? m.initD[r] : row[k];
      const td = tr.insertCell();
      td.textContent = fmt(v, 7);
      td.dataset.value = String(v);   // full precision, for the browser test
    });
  });
}

function drawHistograms() {
  const canvas = $('chart-h');
  const { ctx, w, h } = ctxOf(canvas);
  const ms = state.models;
  if (!ms.length) return;
  const pad = { l: 30, r: 4, t: 4, b: 16 };
  const cols = ms.length, gap = 8, cw = (w - pad.l - pad.r - gap * (cols - 1)) / cols;
  ms.forEach((m, k) => {
    const rows = m.rows, rh = (h - pad.t - pad.b) / rows, bins = m.hist[0].length, bw = cw / bins;
    const x0 = pad.l + k * (cw + gap);
    const rgb = CLASS_COLORS[k];
    for (let r = 0; r < rows; r++) {
      const hr = m.hist[r];
      let max = 0;
      for (const v of hr) max = Math.max(max, v);
      for (let b = 0; b < bins; b++) {
        const a = max > 0 ? Math.sqrt(hr[b] / max) : 0;
        if (a < 0.02) continue;
        ctx.fillStyle = `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${a.toFixed(3)})`;
        ctx.fillRect(x0 + b * bw, pad.t + r * rh, Math.ceil(bw), Math.max(1, Math.ceil(rh)));
      }
    }
    ctx.strokeStyle = COLORS.grid;
    ctx.strokeRect(x0, pad.t, cw, h - pad.t - pad.b);
    ctx.fillStyle = COLORS.text;
    ctx.textAlign = 'center';
    const lo = m.table[0][COL.LO], hi = m.table[0][COL.HI];
    ctx.fillText(fmt(lo, 2), x0 + 8, h - 4);
    ctx.fillText(fmt(hi, 2), x0 + cw - 10, h - 4);
    if (cols > 1) ctx.fillText('AB'[k], x0 + cw / 2, h - 4);
  });
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = 'right';
  ctx.fillText('1', pad.l - 4, pad.t + 8);
  ctx.fillText(String(ms[0].rows), pad.l - 4, h - pad.b - 2);
  const m = ms[0];
  $('hist-range').textContent = `[${fmt(m.table[0][COL.LO], 3)}, ${fmt(m.table[0][COL.HI], 3)}] (beyond: the end bins)`;
}

// The decision regions on a grid whose size keeps the cost near 2e7
// multiply-adds per model.
function updateGrids(force) {
  const now = performance.now();
  if (!force && now - state.lastGrid < 250) return;
  state.lastGrid = now;
  const c = config();
  const params = c.depth * c.width * c.width + 2 * c.width + 3 * c.width;
  const n = Math.max(24, Math.min(72, Math.floor(Math.sqrt(2e7 / params))));
  const { bounds } = dataView();
  const p = M._malloc(n * n * 4);
  state.models.forEach((m, i) => {
    if (C.grid(i, n, bounds[0], bounds[1], bounds[2], bounds[3], p) === 0) m.grid = { n, v: M.HEAPF32.slice(p / 4, p / 4 + n * n) };
  });
  M._free(p);
}

// The data's points (a copy) and the square around them.
function dataView() {
  const count = C.dataCount(), px = C.dataX() / 4, pl = C.dataLabels() / 4;
  const x = M.HEAPF32.subarray(px, px + 2 * count), labels = M.HEAP32.subarray(pl, pl + count);
  let r = 0;
  for (let i = 0; i < 2 * count; i++) r = Math.max(r, Math.abs(x[i]));
  r = Math.ceil(r * 1.1 * 2) / 2;
  return { count, train: C.trainCount(), x, labels, bounds: [-r, r, -r, r] };
}

function drawBoundary(canvas, m) {
  const { ctx, w, h } = ctxOf(canvas);
  if (!m || !m.grid) return;
  const { count, train, x, labels, bounds } = dataView();
  // The n x n grid as an image of n x n pixels, stretched smoothly.
  const n = m.grid.n, img = new ImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const v = m.grid.v[i], k = Math.floor(v), p = v - k, rgb = CLASS_COLORS[k] || [128, 128, 128];
    const a = 0.12 + 0.5 * Math.max(0, (p - 1 / C.classes()) / (1 - 1 / C.classes()));
    for (let c = 0; c < 3; c++) img.data[4 * i + c] = Math.round(255 - a * (255 - rgb[c]));
    img.data[4 * i + 3] = 255;
  }
  const off = document.createElement('canvas');
  off.width = off.height = n;
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, -w / (2 * (n - 1)), -h / (2 * (n - 1)), w * n / (n - 1), h * n / (n - 1));
  const sx = (v) => (v - bounds[0]) / (bounds[1] - bounds[0]) * w, sy = (v) => (bounds[3] - v) / (bounds[3] - bounds[2]) * h;
  for (let i = 0; i < count; i++) {
    const rgb = CLASS_COLORS[labels[i]];
    ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
    ctx.beginPath();
    ctx.arc(sx(x[2 * i]), sy(x[2 * i + 1]), 2.6, 0, 7);
    ctx.fill();
    if (i >= train) { ctx.strokeStyle = '#000'; ctx.lineWidth = 0.8; ctx.stroke(); }
  }
}

function drawCurves(canvas, key, label) {
  const { ctx, w, h } = ctxOf(canvas);
  const ms = state.models;
  const all = [];
  for (const m of ms) all.push(...m[key]);
  if (!all.length) {
    ctx.fillStyle = COLORS.text;
    ctx.fillText('Train or Step to see the ' + label + '.', 10, 20);
    return;
  }
  const [lo, hi] = range(all);
  const pad = { l: 38, r: 8, t: 8, b: 18 };
  const y = logFrame(ctx, w, h, lo, hi, pad, null);
  const n = Math.max(...ms.map((m) => m[key].length));
  const x = (i) => pad.l + (w - pad.l - pad.r) * (n > 1 ? i / (n - 1) : 0.5);
  ms.forEach((m, k) => {
    ctx.strokeStyle = k ? COLORS.b : COLORS.a;
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    const v = m[key], stride = Math.max(1, Math.floor(v.length / 600));
    for (let i = 0; i < v.length; i += stride) { if (i) ctx.lineTo(x(i), y(v[i])); else ctx.moveTo(x(i), y(v[i])); }
    ctx.stroke();
  });
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = 'right';
  ctx.fillText('step ' + n, w - pad.r, h - 5);
}

function drawTraining() {
  const ms = state.models;
  drawBoundary($('boundary-a'), ms[0]);
  drawBoundary($('boundary-b'), ms[1]);
  drawCurves($('chart-loss'), 'loss', 'loss');
  drawCurves($('chart-grad'), 'grad', 'gradient norm');
  const m2 = state.inputM2 || 1;
  drawLayerChart($('chart-qt'), ms.map((m, i) => ({ color: i ? COLORS.b : COLORS.a, bars: m.table.map((r) => r[COL.QM] / m2), line: m.init.map((v) => v / m2) })),
                 null, 'layer →   E[z²]/E[x²]');
  const out = $('readout');
  out.textContent = '';
  ms.forEach((m, i) => {
    const div = document.createElement('div');
    const steps = m.loss.length, loss = steps ? m.loss[steps - 1] : NaN, g = steps ? m.grad[steps - 1] : NaN;
    div.textContent = `${ms.length > 1 ? 'AB'[i] + ': ' : ''}step ${steps}` +
      (steps ? `, loss ${fmt(loss, 6)}, gradient norm ${fmt(g, 4)}` : '') + `, test accuracy ${(100 * m.testAcc).toFixed(1)}%`;
    div.id = 'readout-' + 'ab'[i];
    div.dataset.steps = String(steps);
    div.dataset.loss = String(loss);
    div.dataset.gradNorm = String(g);
    out.appendChild(div);
  });
}

// ---- the phase diagram --------------------------------------------------------------

function startPhase() {
  const nw = 56, nb = 40, w0 = 0.5, w1 = 4, b0 = 0, b1 = 0.5;
  const p = M._malloc(64 * 8);
  const line = [];
  if (C.critical(41, b0, b1, p) === 0) for (let j = 0; j < 41; j++) line.push([M.HEAPF64[p / 8 + j], b0 + (b1 - b0) * j / 40]);
  M._free(p);
  state.phase = { nw, nb, w0, w1, b0, b1, chi: new Float64Array(nw * nb).fill(NaN), line };
  state.phaseRow = 0;
  requestAnimationFrame(phaseSlice);
}

// A few rows of the diagram per frame.
function phaseSlice() {
  const P = state.phase;
  const t0 = performance.now(), p = M._malloc(P.nw * 8);
  while (state.phaseRow < P.nb && performance.now() - t0 < 12) {
    const j = state.phaseRow, b = P.b1 - (P.b1 - P.b0) * j / (P.nb - 1);
    if (C.phaseRow(P.nw, P.w0, P.w1, b, p) !== 0) { fail('phase diagram'); break; }
    P.chi.set(M.HEAPF64.subarray(p / 8, p / 8 + P.nw), j * P.nw);
    state.phaseRow++;
  }
  M._free(p);
  drawPhase();
  if (state.phaseRow < P.nb) { requestAnimationFrame(phaseSlice); return; }
  document.body.dataset.phase = 'done';
  if (!state.training) status($('status').textContent.replace('; computing the phase diagram…', '') + '; phase diagram done');
}

function drawPhase() {
  const P = state.phase;
  if (!P) return;
  const { ctx, w, h } = ctxOf($('phase'));
  const pad = { l: 36, r: 6, t: 6, b: 30 };
  const pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
  const cw = pw / P.nw, chh = ph / P.nb;
  for (let j = 0; j < P.nb; j++) for (let i = 0; i < P.nw; i++) {
    const chi = P.chi[j * P.nw + i];
    if (!Number.isFinite(chi)) continue;
    const t = Math.tanh(3 * Math.log(chi));   // -1 (blue) ordered, 0 (white) critical, 1 (red) chaotic
    const c = t < 0 ? [255 + 180 * t, 255 + 120 * t, 255] : [255, 255 - 170 * t, 255 - 190 * t];
    ctx.fillStyle = `rgb(${c.map(Math.round).join(',')})`;
    ctx.fillRect(pad.l + i * cw - cw / 2, pad.t + j * chh - chh / 2, cw + 1, chh + 1);
  }
  const X = (sw2) => pad.l + (sw2 - P.w0) / (P.w1 - P.w0) * pw, Y = (sb2) => pad.t + (P.b1 - sb2) / (P.b1 - P.b0) * ph;
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  ctx.beginPath();
  P.line.forEach(([sw2, sb2], k) => { if (k) ctx.lineTo(X(sw2), Y(sb2)); else ctx.moveTo(X(sw2), Y(sb2)); });
  ctx.stroke();
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = 'center';
  for (let v = 1; v <= 4; v++) ctx.fillText(String(v), X(v), h - 16);
  ctx.fillText('σw²', pad.l + pw / 2, h - 3);
  ctx.textAlign = 'right';
  for (const v of [0, 0.25, 0.5]) ctx.fillText(String(v), pad.l - 3, Y(v) + 4);
  ctx.save(); ctx.translate(10, pad.t + ph / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center'; ctx.fillText('σb²', 0, 0); ctx.restore();
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  ctx.fillText('ordered', X(0.6), Y(0.45));
  ctx.textAlign = 'right';
  ctx.fillText('chaotic', X(3.9), Y(0.03));
  // Init A's hidden layers (the second weighted layer: width -> width).
  const m = state.models[0], info = $('phase-info');
  if (m && m.rows > 2) {
    const sw2 = m.table[1][COL.SW2], sb2 = m.table[1][COL.SB2];
    state.ring = { sw2, sb2 };
    if (sw2 >= P.w0 && sw2 <= P.w1 && sb2 <= P.b1) {
      ctx.strokeStyle = '#000'; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(X(sw2), Y(sb2), 6, 0, 7); ctx.stroke();
    }
    info.textContent = `Init A's hidden layers: σw² = ${fmt(sw2)}, σb² = ${fmt(sb2)}` +
      ($('activation').value === 'tanh' ? '.' : ` (the diagram is for tanh; A uses ${$('activation').value}).`);
  } else info.textContent = 'Init A has no hidden-to-hidden layer (depth 1).';
}

// A click (or Enter) sets init A to N(0, sigma_w^2 / fan_in), bias N(0, sigma_b^2), tanh.
function setInitFromPhase(sw2, sb2) {
  $('activation').value = 'tanh';
  $('spec').value = `variance_scaling:${sw2.toPrecision(3)},fan_in,normal`;
  $('scale').value = 0;
  $('scale-out').textContent = '×1';
  $('bias').value = sb2 > 0 ? `random_normal:${Math.sqrt(sb2).toPrecision(3)}` : 'zeros';
  rebuild();
}

function onPhaseClick(ev) {
  const P = state.phase;
  if (!P) return;
  const rect = $('phase').getBoundingClientRect(), pad = { l: 36, r: 6, t: 6, b: 30 };
  const fx = (ev.clientX - rect.left - pad.l) / (rect.width - pad.l - pad.r), fy = (ev.clientY - rect.top - pad.t) / (rect.height - pad.t - pad.b);
  if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return;
  setInitFromPhase(P.w0 + fx * (P.w1 - P.w0), Math.max(0, P.b1 - fy * (P.b1 - P.b0)));
}

function onPhaseKey(ev) {
  if (ev.key !== 'Enter' && ev.key !== ' ') return;
  ev.preventDefault();
  const P = state.phase, sb2 = state.ring ? Math.min(P.b1, state.ring.sb2) : 0;
  const j = Math.round((sb2 - P.b0) / (P.b1 - P.b0) * 40);
  setInitFromPhase(P.line[j] ? P.line[j][0] : 1, sb2);
}

// ---- wiring ---------------------------------------------------------------------------

function markDirty() {
  state.dirty = true;
  rebuild();
}

function init() {
  bind();
  $('depth-range').addEventListener('input', () => { $('depth').value = $('depth-range').value; });
  $('depth-range').addEventListener('change', markDirty);
  $('depth').addEventListener('change', () => { $('depth-range').value = $('depth').value; markDirty(); });
  for (const id of ['scale', 'scale-b']) {
    $(id).addEventListener('input', () => { $(id + '-out').textContent = '×' + fmt(scaleOf(id), 3); });
    $(id).addEventListener('change', markDirty);
  }
  for (const id of ['data', 'samples', 'noise', 'data-seed', 'width', 'activation', 'spec', 'bias', 'seed', 'optimizer', 'lr', 'batch', 'spec-b'])
    $(id).addEventListener('change', markDirty);
  $('compare').addEventListener('change', () => { $('compare-b').hidden = !$('compare').checked; markDirty(); });
  $('train').addEventListener('click', onTrain);
  $('step').addEventListener('click', onStep);
  $('reset').addEventListener('click', () => { state.dirty = true; rebuild(); });
  $('phase').addEventListener('click', onPhaseClick);
  $('phase').addEventListener('keydown', onPhaseKey);
  let resize = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resize);
    resize = setTimeout(() => { drawInit(); drawTraining(); drawPhase(); }, 100);
  });
  rebuild();
  startPhase();
}

status('Loading initnn (WebAssembly)…');
createInitnn().then((module) => { M = module; init(); },
                    (err) => status('initnn could not be loaded: ' + err));
