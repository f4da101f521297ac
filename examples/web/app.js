// app.js - the page's behaviour: reads the controls, asks initnn for the
// numbers and draws them on canvases. No library, no framework.
//
// initnn (initnn.h compiled from initnn_web.c to WebAssembly, initnn_wasm.js)
// runs in a Web Worker (worker.js), so that the page never freezes, even for
// a net of 200 layers of 256 whose every step takes a second: this file
// sends it requests and draws what comes back. The status line says what
// the worker is doing.
'use strict';

const $ = (id) => document.getElementById(id);
const COLORS = { a: '#1f6fd1', b: '#d1591f', pred: '#111111', band: 'rgba(27,122,58,0.09)', grid: '#e6e8ee', text: '#5b6475' };
const CLASS_COLORS = [[31, 111, 209], [209, 89, 31], [40, 150, 70]];

// Column indices of a table row (initnn_web.c, web_model_table).
const COL = { SW2: 0, SB2: 1, QP: 2, QM: 3, DP: 4, DM: 5, CHI: 6, ZERO: 7, SAT: 8, LO: 9, HI: 10 };

const state = {
  models: [],      // per net: { spec, rows, table, init, initD, hist, verdict, testAcc, grid, loss: [], grad: [] }
  data: null,      // { x, labels, train, classes, bounds }
  inputM2: 1,
  training: false,
  generation: 0,   // bumped by every rebuild: replies for an older net are dropped
  phase: null,     // { nw, nb, w0, w1, b0, b1, chi, line }
  phaseRow: 0,
  firstResultMs: null,
  stepMs: 0,
  layer: 0,        // the layer whose histogram is drawn large
};

// ---- the worker ----------------------------------------------------------------------

// The worker's source is the page's two text/js-worker scripts (the built
// page has them inline, so it opens from disk without a server).
const worker = new Worker(URL.createObjectURL(new Blob(
  [$('initnn-wasm').textContent, '\n', $('initnn-worker').textContent], { type: 'text/javascript' })));
let nextId = 1, busy = 0;
const waiting = new Map();
worker.onmessage = (e) => {
  const { resolve } = waiting.get(e.data.id);
  waiting.delete(e.data.id);
  busy--;
  resolve(e.data);
};
worker.onerror = (e) => { status('initnn stopped: ' + e.message); };
// Sends a request; the promise gets the reply. The worker answers in order.
function ask(op, fields) {
  const id = nextId++;
  busy++;
  worker.postMessage({ id, op, ...fields });
  return new Promise((resolve) => waiting.set(id, { resolve }));
}

function status(text) { $('status').textContent = text; }

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

// Rebuilds data and nets from the controls, runs the prediction, draws.
async function rebuild() {
  const c = config();
  const generation = ++state.generation;
  state.training = false;
  $('train').textContent = 'Train';
  document.body.dataset.ready = '0';
  status(`Building the data and ${c.compare ? 'both nets' : 'the net'}, computing the prediction…`);
  const r = await ask('rebuild', { config: c });
  if (generation !== state.generation) return;
  if (r.error) {
    state.models = [];
    for (const id of ['flag-a', 'flag-b']) { $(id).textContent = ''; $(id).className = 'flag'; }
    status(r.error);
    drawAll();
    document.body.dataset.ready = '1';
    return;
  }
  state.data = r.data;
  state.inputM2 = r.inputM2;
  state.models = r.models.map((m) => ({ ...m, init: m.table.map((row) => row[COL.QM]), initD: m.table.map((row) => row[COL.DM]), loss: [], grad: [] }));
  state.layer = Math.min(state.layer, state.models[0].rows - 1);
  $('layer').max = String(state.models[0].rows);
  $('layer').value = String(state.layer + 1);
  updateCommand(c);
  drawAll();
  if (state.firstResultMs === null) {
    state.firstResultMs = performance.now();
    document.body.dataset.firstResultMs = state.firstResultMs.toFixed(0);
  }
  status(`Ready: prediction and measurement in ${r.predictMs.toFixed(0)} ms` +
         (state.phaseRow < (state.phase ? state.phase.nb : 1) ? '; computing the phase diagram…' : ''));
  document.body.dataset.ready = '1';
  if (state.phase && state.phaseRow < state.phase.nb) phaseNext();
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

// Takes a training reply into the state; false on an error.
function absorb(r) {
  r.losses.forEach((l, i) => { state.models[i].loss.push(...l); state.models[i].grad.push(...r.grads[i]); });
  if (r.error) { status(r.error); return false; }
  r.models.forEach((m, i) => {
    const s = state.models[i];
    if (m.table) {
      for (let k = 0; k < s.rows; k++) { s.table[k][COL.QM] = m.table[k][COL.QM]; s.table[k][COL.DM] = m.table[k][COL.DM]; }
      s.hist = m.hist;
      s.testAcc = m.testAcc;
    }
    if (m.grid) s.grid = m.grid;
  });
  state.stepMs = r.stepMs;
  drawTraining();
  drawHistograms();
  return true;
}

// While training: one request of about 60 ms of steps after another.
async function loop() {
  const generation = state.generation;
  while (state.training && generation === state.generation) {
    const r = await ask('train', { budgetMs: 60 });
    if (generation !== state.generation) return;
    if (!absorb(r)) { state.training = false; $('train').textContent = 'Train'; return; }
    const steps = state.models[0].loss.length;
    status(`Training: step ${steps} (${fmt(state.stepMs, 3)} ms a step${state.models.length > 1 ? ' for both nets' : ''})`);
    if (!state.training) status(`Paused at step ${steps}`);
    await new Promise((r) => requestAnimationFrame(r));
  }
}

function onTrain() {
  if (!state.models.length) return;
  state.training = !state.training;
  $('train').textContent = state.training ? 'Pause' : 'Train';
  if (state.training) loop();
}

async function onStep() {
  if (!state.models.length) return;
  state.training = false;
  $('train').textContent = 'Train';
  const n = Math.round(num('step-size', 1, 100000, 1));
  const generation = state.generation;
  while (busy) await new Promise((r) => setTimeout(r, 10));   // the last slice of a paused loop
  status(`Training ${n} step${n > 1 ? 's' : ''}…`);
  const r = await ask('train', { steps: n, force: true });
  if (generation !== state.generation) return;
  if (absorb(r)) status(`Stepped to step ${state.models[0].loss.length}`);
  document.body.dataset.steps = String(state.models[0].loss.length);
}

function drawAll() { drawInit(); drawTraining(); drawPhase(); }

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
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
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
  const d = ms.map((m, i) => ({ color: i ? COLORS.b : COLORS.a, bars: m.initD, line: m.table.map((r) => r[COL.DP]) }));
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
  drawLayerHistogram();
}

// The chosen layer's histogram as bars, for every net, with its share of
// zeros (ReLU) or saturated units (tanh, sigmoid).
function drawLayerHistogram() {
  const { ctx, w, h } = ctxOf($('chart-layer'));
  const ms = state.models;
  if (!ms.length) return;
  const l = Math.min(state.layer, ms[0].rows - 1);
  const pad = { l: 8, r: 8, t: 8 + 13 * ms.length, b: 18 };
  const bins = ms[0].hist[l].length, slot = (w - pad.l - pad.r) / bins;
  let max = 0;
  for (const m of ms) for (const v of m.hist[l]) max = Math.max(max, v);
  ms.forEach((m, k) => {
    ctx.fillStyle = k ? COLORS.b : COLORS.a;
    ctx.globalAlpha = ms.length > 1 ? 0.55 : 0.8;
    m.hist[l].forEach((v, b) => {
      const bh = max > 0 ? (h - pad.t - pad.b) * v / max : 0;
      ctx.fillRect(pad.l + b * slot, h - pad.b - bh, Math.max(1, slot - 1), bh);
    });
  });
  ctx.globalAlpha = 1;
  const row = ms[0].table[l];
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = 'left';
  ctx.fillText(fmt(row[COL.LO], 3), pad.l, h - 5);
  ctx.textAlign = 'right';
  ctx.fillText(fmt(row[COL.HI], 3), w - pad.r, h - 5);
  ctx.textAlign = 'left';
  const parts = ms.map((m, k) => (ms.length > 1 ? 'AB'[k] + ': ' : '') +
    `E[z²] ${fmt(m.table[l][COL.QM], 3)}, zeros ${(100 * m.table[l][COL.ZERO]).toFixed(0)}%, saturated ${(100 * m.table[l][COL.SAT]).toFixed(0)}%`);
  parts.forEach((text, k) => ctx.fillText(text, pad.l, 12 + 13 * k));
  $('layer-out').textContent = `${l + 1} of ${ms[0].rows}` + (l + 1 === ms[0].rows ? ' (softmax output)' : '');
}

function drawBoundary(canvas, m) {
  const { ctx, w, h } = ctxOf(canvas);
  if (!m || !m.grid || !state.data) return;
  const { train, x, labels, bounds, classes } = state.data, count = labels.length;
  // The n x n grid as an image of n x n pixels, stretched smoothly.
  const n = m.grid.n, img = new ImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const v = m.grid.v[i], k = Math.floor(v), p = v - k, rgb = CLASS_COLORS[k] || [128, 128, 128];
    const a = 0.12 + 0.5 * Math.max(0, (p - 1 / classes) / (1 - 1 / classes));
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

async function startPhase() {
  const nw = 56, nb = 40, w0 = 0.5, w1 = 4, b0 = 0, b1 = 0.5;
  const r = await ask('critical', { n: 41, b0, b1 });
  const line = r.error ? [] : r.line.map((sw2, j) => [sw2, b0 + (b1 - b0) * j / 40]);
  state.phase = { nw, nb, w0, w1, b0, b1, chi: new Float64Array(nw * nb).fill(NaN), line };
  state.phaseRow = 0;
  phaseNext();
}

// One row of the diagram at a time, whenever the worker has nothing else to do.
async function phaseNext() {
  const P = state.phase;
  if (state.phaseRow >= P.nb || state.phaseBusy) return;
  if (state.training || busy) { setTimeout(phaseNext, 200); return; }
  state.phaseBusy = true;
  const j = state.phaseRow;
  const r = await ask('phaseRow', { nw: P.nw, w0: P.w0, w1: P.w1, sigmaB2: P.b1 - (P.b1 - P.b0) * j / (P.nb - 1) });
  state.phaseBusy = false;
  if (r.error) { status(r.error); return; }
  P.chi.set(r.chi, j * P.nw);
  state.phaseRow++;
  drawPhase();
  if (state.phaseRow < P.nb) { phaseNext(); return; }
  document.body.dataset.phase = 'done';
  if (!state.training && !busy) status($('status').textContent.replace('; computing the phase diagram…', '') + '; phase diagram done');
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

function init() {
  $('depth-range').addEventListener('input', () => { $('depth').value = $('depth-range').value; });
  $('depth-range').addEventListener('change', rebuild);
  $('depth').addEventListener('change', () => { $('depth-range').value = $('depth').value; rebuild(); });
  for (const id of ['scale', 'scale-b']) {
    $(id).addEventListener('input', () => { $(id + '-out').textContent = '×' + fmt(scaleOf(id), 3); });
    $(id).addEventListener('change', rebuild);
  }
  for (const id of ['data', 'samples', 'noise', 'data-seed', 'width', 'activation', 'spec', 'bias', 'seed', 'optimizer', 'lr', 'batch', 'spec-b'])
    $(id).addEventListener('change', rebuild);
  $('compare').addEventListener('change', () => { $('compare-b').hidden = !$('compare').checked; rebuild(); });
  $('train').addEventListener('click', onTrain);
  $('step').addEventListener('click', onStep);
  $('reset').addEventListener('click', rebuild);
  $('phase').addEventListener('click', onPhaseClick);
  $('phase').addEventListener('keydown', onPhaseKey);
  $('layer').addEventListener('input', () => { state.layer = Number($('layer').value) - 1; drawHistograms(); });
  let resize = 0;
  window.addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(drawAll, 100); });
  status('Loading initnn (WebAssembly)…');
  rebuild().then(startPhase);
}

init();
