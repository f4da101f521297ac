// worker.js - the page's computing side, run in a Web Worker so that the
// page never freezes, however deep the net: it loads initnn (initnn_wasm.js,
// createInitnn, compiled from initnn_web.c), answers app.js's requests and
// sends back plain numbers for drawing. One request at a time, in order.
//
// Requests ({ id, op, ... }) and what they send back ({ id, ... }):
//   rebuild { config }   the data and the nets from the controls, each net's
//                        prediction table, histograms, verdict and decision
//                        regions (or { error })
//   train { steps | budgetMs, force }
//                        that many steps (or as many as fit in budgetMs) on
//                        every net: losses, gradient norms, the measured
//                        columns again, histograms, regions
//   phaseRow { nw, w0, w1, sigmaB2 }    one row of the tanh phase diagram
//   critical { n, b0, b1 }              the critical line
'use strict';

let M = null, C = null;
let models = 0;                  // nets built (1, or 2 when comparing)
let gridN = 48, bounds = [-1, 1, -1, 1];
const timing = { measureMs: 0, lastMeasure: 0, gridMs: 0, lastGrid: 0 };

function bind() {
  const n = 'number', s = 'string', f = (name, ret, args) => M.cwrap(name, ret, args);
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

function readTable(which, rows) {
  const cols = C.columns(), p = C.table(which) / 8;
  return Array.from({ length: rows }, (_, r) => Array.from(M.HEAPF64.subarray(p + r * cols, p + (r + 1) * cols)));
}
function readHist(which, rows) {
  const bins = C.bins(), p = C.hist(which) / 8;
  return Array.from({ length: rows }, (_, r) => Array.from(M.HEAPF64.subarray(p + r * bins, p + (r + 1) * bins)));
}
function readGrid(which) {
  const p = M._malloc(gridN * gridN * 4);
  let v = null;
  if (C.grid(which, gridN, bounds[0], bounds[1], bounds[2], bounds[3], p) === 0) v = M.HEAPF32.slice(p / 4, p / 4 + gridN * gridN);
  M._free(p);
  return v && { n: gridN, v };
}

// The state of every net after training: measured columns, histograms,
// regions (each only when it costs at most a fifth of the time, or forced).
function snapshot(force) {
  const out = [];
  const now = performance.now();
  const doMeasure = force || now - timing.lastMeasure > 4 * timing.measureMs;
  const doGrid = force || now - timing.lastGrid > 4 * timing.gridMs;
  let t = performance.now();
  for (let i = 0; i < models; i++) {
    const m = { steps: C.steps(i) };
    if (doMeasure) {
      const rows = C.measure(i);
      if (rows < 0) return { error: 'measurement: ' + C.message() };
      m.table = readTable(i, rows);
      m.hist = readHist(i, rows);
      m.testAcc = C.test(i, 1);
    }
    out.push(m);
  }
  if (doMeasure) { timing.measureMs = performance.now() - t; timing.lastMeasure = performance.now(); }
  t = performance.now();
  if (doGrid) {
    out.forEach((m, i) => { m.grid = readGrid(i); });
    timing.gridMs = performance.now() - t;
    timing.lastGrid = performance.now();
  }
  return { models: out };
}

function rebuild(c) {
  const t0 = performance.now();
  if (C.data(c.data, c.samples, c.noise, c.dataSeed, 1) !== 0) return { error: 'data: ' + C.message() };
  const specs = [[c.spec, c.scale]];
  if (c.compare) specs.push([c.specB, c.scaleB]);
  C.free(0);
  C.free(1);
  models = 0;
  // The data and a square around it, for the decision regions.
  const count = C.dataCount(), px = C.dataX() / 4, pl = C.dataLabels() / 4;
  const x = M.HEAPF32.slice(px, px + 2 * count), labels = M.HEAP32.slice(pl, pl + count);
  let r = 0;
  for (let i = 0; i < 2 * count; i++) r = Math.max(r, Math.abs(x[i]));
  r = Math.ceil(r * 1.1 * 2) / 2;
  bounds = [-r, r, -r, r];
  // Regions on a grid whose forward passes cost about 2e7 multiply-adds.
  const params = c.depth * c.width * c.width + 6 * c.width;
  gridN = Math.max(12, Math.min(72, Math.floor(Math.sqrt(2e7 / params))));
  const out = { inputM2: C.inputM2(), data: { x, labels, train: C.trainCount(), classes: C.classes(), bounds }, models: [] };
  for (let i = 0; i < specs.length; i++) {
    const name = 'AB'[i];
    const p = C.scaledSpec(specs[i][0], specs[i][1]);
    if (!p) return { error: `init spec ${name}: ` + C.message() };
    const spec = M.UTF8ToString(p);
    if (C.create(i, c.depth, c.width, c.activation, spec, c.bias, c.seed, c.optimizer, c.lr, c.batch) !== 0)
      return { error: `net ${name}: ` + C.message() };
    models = i + 1;
    const rows = C.predict(i);
    if (rows < 0) return { error: `prediction ${name}: ` + C.message() };
    out.models.push({ spec, rows, table: readTable(i, rows), hist: readHist(i, rows), verdict: C.verdict(i),
                      testAcc: C.test(i, 1) });
  }
  out.predictMs = performance.now() - t0;
  out.models.forEach((m, i) => { m.grid = readGrid(i); });
  timing.lastMeasure = timing.lastGrid = performance.now();
  timing.measureMs = out.predictMs;
  timing.gridMs = performance.now() - t0 - out.predictMs;
  return out;
}

// Training: exactly `steps` steps, or as many as fit in budgetMs (at least one).
function train(req) {
  const t0 = performance.now();
  const losses = Array.from({ length: models }, () => []), grads = Array.from({ length: models }, () => []);
  for (let s = 0; req.steps ? s < req.steps : (s === 0 || performance.now() - t0 < req.budgetMs); s++) {
    for (let i = 0; i < models; i++) {
      if (C.train(i, 1) !== 1) return { error: `training ${'AB'[i]}: ` + C.message(), losses, grads };
      losses[i].push(C.loss(i));
      grads[i].push(C.gradNorm(i));
    }
  }
  const stepMs = (performance.now() - t0) / Math.max(1, losses[0].length);
  const out = snapshot(req.force);
  out.losses = losses;
  out.grads = grads;
  out.stepMs = stepMs;
  return out;
}

function phaseRow(req) {
  const p = M._malloc(req.nw * 8);
  const ok = C.phaseRow(req.nw, req.w0, req.w1, req.sigmaB2, p) === 0;
  const chi = ok ? Array.from(M.HEAPF64.subarray(p / 8, p / 8 + req.nw)) : null;
  M._free(p);
  return ok ? { chi } : { error: 'phase diagram: ' + C.message() };
}

function critical(req) {
  const p = M._malloc(req.n * 8);
  const ok = C.critical(req.n, req.b0, req.b1, p) === 0;
  const line = ok ? Array.from(M.HEAPF64.subarray(p / 8, p / 8 + req.n)) : null;
  M._free(p);
  return ok ? { line } : { error: 'critical line: ' + C.message() };
}

const ready = createInitnn().then((module) => { M = module; bind(); });

onmessage = (e) => {
  const req = e.data;
  ready.then(() => {
    let reply;
    try {
      if (req.op === 'rebuild') reply = rebuild(req.config);
      else if (req.op === 'train') reply = train(req);
      else if (req.op === 'phaseRow') reply = phaseRow(req);
      else if (req.op === 'critical') reply = critical(req);
      else reply = { error: 'unknown request ' + req.op };
    } catch (err) {
      reply = { error: String(err) };
    }
    reply.id = req.id;
    postMessage(reply);
  }, (err) => postMessage({ id: req.id, error: 'initnn could not be loaded: ' + err }));
};
