// goe's preview page: plain browser JavaScript with fetch, no build step and no dependency (the page must be
// served by goe alone, on Node and on Lambda). It talks only to the origin that served it.

const $ = (id) => document.getElementById(id);

/** The package name of the TypeScript SDK, as the snippets import it. */
const SDK_IMPORT = '@goe/sdk';
/** σ² levels the slider steps through (those inside the model's range, plus its default). */
const SIGMA2_LEVELS = [0, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 50, 75, 100, 200, 500, 1000];
/** Temperatures the slider steps through (those inside the model's range, plus its default). */
const TEMPERATURE_LEVELS = [0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 10];
/** The strip: a few samples of one seed at these levels (those inside the range). */
const SIGMA2_STRIP = [0, 1, 5, 20, 50, 100, 500];
const TEMPERATURE_STRIP = [0.5, 1, 2, 5];
const STRIP_SAMPLES = 6;
const KEY_STORAGE = 'goe.apiKey';

const state = {
  models: [],
  detail: undefined,
  levels: [],
  lang: 'curl',
  /** Aborts the requests of the previous update when the controls change again. */
  controller: undefined,
  gridUrl: undefined,
  stripUrls: [],
};

function apiKey() {
  return $('api-key').value.trim();
}

function authHeaders() {
  const key = apiKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A problem document (RFC 9457) as an Error; `problem` keeps the document. */
class ProblemError extends Error {
  constructor(problem, response) {
    super(problem.detail || problem.title || `HTTP ${response.status}`);
    this.problem = problem;
    this.status = response.status;
    this.retryAfter = response.headers.get('retry-after');
  }
}

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers || {}) } });
  if (res.ok) return res;
  let problem;
  try {
    problem = await res.json();
  } catch {
    problem = { title: `HTTP ${res.status}`, status: res.status, detail: res.statusText || 'request failed' };
  }
  throw new ProblemError(problem, res);
}

function isText() {
  return state.detail?.modality === 'text';
}

/** The request body the controls describe (format added by the caller). */
function currentRequest() {
  const body = { model: $('model').value };
  const classes = $('classes')
    .value.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (classes.length > 0) body.classes = classes;
  // The number box holds the level: the slider steps through round values, the box takes any (and so can
  // ask for one outside the model's range, which the server answers with a problem shown on the page).
  const level = $('level-value').value.trim();
  if (level !== '') body[isText() ? 'temperature' : 'sigma2'] = Number(level);
  body.count = Number($('count').value);
  body.seed = Number($('seed').value);
  return body;
}

function levelsFor(candidates, range, fallback) {
  const [lo, hi] = range || [-Infinity, Infinity];
  const levels = candidates.filter((v) => v >= lo && v <= hi);
  if (fallback !== undefined && !levels.includes(fallback)) levels.push(fallback);
  return levels.sort((a, b) => a - b);
}

function levelName() {
  return isText() ? 'T' : 'σ²';
}

/** Slider moved: its level goes into the number box. */
function showLevel() {
  const v = state.levels[Number($('level').value)];
  $('level-value').value = String(v);
  $('level').setAttribute('aria-valuetext', `${levelName()} = ${v}`);
}

/** Number typed: the slider moves to the nearest of its levels; the request keeps the typed value. */
function levelTyped() {
  const v = Number($('level-value').value);
  if (!Number.isFinite(v)) return;
  let best = 0;
  state.levels.forEach((l, k) => {
    if (Math.abs(l - v) < Math.abs(state.levels[best] - v)) best = k;
  });
  $('level').value = String(best);
  $('level').setAttribute('aria-valuetext', `${levelName()} = ${v}`);
}

// ---- problems -------------------------------------------------------------------------------------------

function showProblem(err) {
  const box = $('problem');
  box.replaceChildren();
  const p = err.problem || { title: 'Request failed', detail: String(err.message || err) };
  const title = document.createElement('strong');
  title.textContent = `${p.title || 'Error'}${p.status ? ` (${p.status})` : ''}`;
  const detail = document.createElement('p');
  detail.className = 'problem-detail';
  detail.textContent = p.detail || '';
  box.append(title, detail);
  if (Array.isArray(p.errors) && p.errors.length > 0) {
    const list = document.createElement('ul');
    for (const e of p.errors) {
      const li = document.createElement('li');
      li.textContent = `${e.path}: ${e.message}`;
      list.append(li);
    }
    box.append(list);
  }
  const hint = document.createElement('p');
  hint.className = 'hint';
  if (err.status === 401) hint.textContent = 'Enter an API key above (the server has GOE_API_KEYS set).';
  else if (err.status === 429)
    hint.textContent = `Too many requests; try again in ${err.retryAfter || 'a few'} s.`;
  if (hint.textContent) box.append(hint);
  if (p.type) {
    const type = document.createElement('small');
    type.textContent = p.type;
    box.append(type);
  }
  box.hidden = false;
}

function clearProblem() {
  $('problem').hidden = true;
  $('problem').replaceChildren();
}

// ---- models ---------------------------------------------------------------------------------------------

async function loadModels() {
  const res = await api('/models');
  state.models = (await res.json()).models;
  const select = $('model');
  select.replaceChildren(
    ...state.models.map((m) => {
      const o = document.createElement('option');
      o.value = m.id;
      o.textContent = `${m.id} (${m.modality})`;
      return o;
    }),
  );
  // A link can preset the controls: /?model=brown-lm&count=8&seed=3&classes=fiction&level=1.5
  const query = new URLSearchParams(location.search);
  const wanted = query.get('model');
  // Images first: what a σ² does is seen at a glance, and image generators answer fastest. The README's main
  // model first of those, so a zoo with more image generators (cifar6-cgan sorts before it) opens on the same page.
  const image =
    state.models.find((m) => m.id === 'fashion-mnist-cgan') ??
    state.models.find((m) => m.modality === 'image');
  if (wanted && state.models.some((m) => m.id === wanted)) select.value = wanted;
  else if (image) select.value = image.id;
  for (const id of ['count', 'seed', 'classes']) if (query.has(id)) $(id).value = query.get(id);
  await selectModel();
  if (query.has('level')) {
    $('level-value').value = query.get('level');
    levelTyped();
  }
}

async function selectModel() {
  const id = $('model').value;
  const res = await api(`/models/${encodeURIComponent(id)}`);
  const d = await res.json();
  state.detail = d;
  const text = d.modality === 'text';
  state.levels = text
    ? levelsFor(TEMPERATURE_LEVELS, d.temperatureRange, d.defaultTemperature)
    : levelsFor(SIGMA2_LEVELS, d.sigma2Range, d.defaultSigma2);
  const slider = $('level');
  slider.max = String(state.levels.length - 1);
  const start = state.levels.indexOf(text ? d.defaultTemperature : d.defaultSigma2);
  slider.value = String(Math.max(0, start));
  $('level-label').textContent = text ? 'Temperature T' : 'Latent variance σ²';
  $('level-value').setAttribute('aria-label', `${levelName()} value`);
  const range = text ? d.temperatureRange : d.sigma2Range;
  $('level-help').textContent = range
    ? `Allowed ${levelName()}: ${range[0]} to ${range[1]}; default ${text ? d.defaultTemperature : d.defaultSigma2}.`
    : '';
  $('model-info').textContent = text
    ? `${d.classes.length} classes, ${d.length} tokens per row`
    : `${d.classes.length} classes, rows ${d.shape.join('×')}, latent dim ${d.latentDim}`;
  $('count').max = text ? '64' : '256';
  if (Number($('count').value) > Number($('count').max)) $('count').value = $('count').max;
  $('download').textContent = text ? 'Download .ndjson' : 'Download .npy';
  $('strip-title').textContent = text ? 'Same seed, higher temperature' : 'Same latents, more variance';
  renderChips();
  showLevel();
}

function renderChips() {
  const box = $('class-chips');
  const chosen = new Set(
    $('classes')
      .value.split(',')
      .map((s) => s.trim().toLowerCase()),
  );
  box.replaceChildren(
    ...state.detail.classes.map((name) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'chip';
      b.textContent = name;
      b.setAttribute('aria-pressed', String(chosen.has(name.toLowerCase())));
      b.addEventListener('click', () => toggleClass(name));
      return b;
    }),
  );
}

function toggleClass(name) {
  const parts = $('classes')
    .value.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const at = parts.findIndex((p) => p.toLowerCase() === name.toLowerCase());
  if (at >= 0) parts.splice(at, 1);
  else parts.push(name);
  $('classes').value = parts.join(', ');
  renderChips();
  schedule();
}

// ---- the grid and the strip -----------------------------------------------------------------------------

async function update() {
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  const request = currentRequest();
  renderSnippet();
  $('status').textContent = 'Generating…';
  document.body.dataset.state = 'loading';
  try {
    if (isText()) await renderTexts(request, controller.signal);
    else await renderGrid(request, controller.signal);
    clearProblem();
    await renderStrip(request, controller.signal);
    if (controller.signal.aborted) return;
    $('status').textContent =
      `${request.count} outliers, seed ${request.seed}, ${levelName()} = ${request[isText() ? 'temperature' : 'sigma2']}.`;
    document.body.dataset.state = 'ready';
  } catch (err) {
    if (controller.signal.aborted) return;
    showProblem(err);
    $('status').textContent = '';
    document.body.dataset.state = 'problem';
  }
}

async function renderGrid(request, signal) {
  const res = await api('/outliers', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'image/png' },
    body: JSON.stringify({ ...request, format: 'png' }),
    signal,
  });
  const blob = await res.blob();
  if (signal.aborted) return;
  const url = URL.createObjectURL(blob);
  const img = $('grid');
  await new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = () => reject(new Error('the PNG did not decode'));
    img.src = url;
  });
  if (state.gridUrl) URL.revokeObjectURL(state.gridUrl);
  state.gridUrl = url;
  img.alt = `Grid of ${request.count} outliers from ${request.model} at σ² = ${request.sigma2}, seed ${request.seed}`;
  $('grid-caption').textContent =
    `ETag ${res.headers.get('etag') || '—'} · backend ${res.headers.get('goe-backend') || '—'} · cache ${res.headers.get('goe-cache') || '—'}`;
  $('grid-figure').hidden = false;
  $('texts').hidden = true;
}

async function ndjsonRows(request, signal) {
  const res = await api('/outliers', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify({ ...request, format: 'ndjson' }),
    signal,
  });
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

async function renderTexts(request, signal) {
  const rows = await ndjsonRows(request, signal);
  if (signal.aborted) return;
  const list = $('texts');
  list.replaceChildren(
    ...rows.map((r) => {
      const li = document.createElement('li');
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = r.label;
      li.append(label, document.createTextNode(` ${r.text}`));
      return li;
    }),
  );
  list.hidden = false;
  $('grid-figure').hidden = true;
}

/** The strip: the first samples of the same request (seed, classes) at each level of the strip. */
async function renderStrip(request, signal) {
  const text = isText();
  const d = state.detail;
  const range = text ? d.temperatureRange : d.sigma2Range;
  const levels = levelsFor(text ? TEMPERATURE_STRIP : SIGMA2_STRIP, range);
  const param = text ? 'temperature' : 'sigma2';
  const count = text ? 2 : STRIP_SAMPLES;
  const columns = await Promise.all(levels.map((v) => ndjsonRows({ ...request, [param]: v, count }, signal)));
  if (signal.aborted) return;
  const strip = $('strip');
  for (const u of state.stripUrls) URL.revokeObjectURL(u);
  state.stripUrls = [];
  if (text) {
    const table = document.createElement('table');
    const head = document.createElement('tr');
    head.append(th('T'), th('sample'));
    table.append(head);
    levels.forEach((v, k) => {
      for (const r of columns[k]) {
        const tr = document.createElement('tr');
        tr.append(th(String(v)), td(`[${r.label}] ${r.text}`));
        table.append(tr);
      }
    });
    strip.replaceChildren(table);
    return;
  }
  strip.replaceChildren(
    ...levels.map((v, k) => {
      const fig = document.createElement('figure');
      fig.className = 'strip-col';
      fig.append(rowsCanvas(columns[k], `${count} outliers at σ² = ${v}, seed ${request.seed}`));
      const cap = document.createElement('figcaption');
      cap.textContent = `σ² = ${v}`;
      fig.append(cap);
      return fig;
    }),
  );
}

function th(text) {
  const e = document.createElement('th');
  e.textContent = text;
  return e;
}

function td(text) {
  const e = document.createElement('td');
  e.textContent = text;
  return e;
}

/** Rows of the strip are 1 px apart (in image pixels; the canvas is scaled up by CSS). */
const STRIP_GAP = 1;

/** Image rows (NDJSON `ImageRow`s: base64 H×W×C uint8) stacked in one column of a canvas. */
function rowsCanvas(rows, label) {
  const [h, w, c] = rows[0]?.shape || [1, 1, 1];
  const pitch = h + STRIP_GAP;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = pitch * rows.length - STRIP_GAP;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const ctx = canvas.getContext('2d');
  const out = ctx.createImageData(w, canvas.height);
  out.data.fill(255); // the gaps: white, like the page
  rows.forEach((r, k) => {
    const bytes = Uint8Array.from(atob(r.data), (ch) => ch.charCodeAt(0));
    const scale = r.dtype === 'float32' ? 255 : 1;
    const values = r.dtype === 'float32' ? new Float32Array(bytes.buffer) : bytes;
    for (let p = 0; p < h * w; p += 1) {
      const o = (k * pitch * w + p) * 4;
      const v = values[p * c] * scale;
      out.data[o] = v;
      out.data[o + 1] = c >= 3 ? values[p * c + 1] * scale : v;
      out.data[o + 2] = c >= 3 ? values[p * c + 2] * scale : v;
      out.data[o + 3] = 255;
    }
  });
  ctx.putImageData(out, 0, 0);
  return canvas;
}

// ---- download -------------------------------------------------------------------------------------------

async function download() {
  const request = currentRequest();
  const text = isText();
  const format = text ? 'ndjson' : 'npy';
  try {
    const res = await api('/outliers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, format }),
    });
    clearProblem();
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    const level = text ? `t${request.temperature}` : `s${request.sigma2}`;
    a.download = `${request.model}-${level}-seed${request.seed}.${format}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    showProblem(err);
  }
}

// ---- snippets -------------------------------------------------------------------------------------------

function pythonLiteral(value) {
  return JSON.stringify(value, null, 0).replaceAll('":', '": ').replaceAll(',"', ', "');
}

function snippet(lang, request) {
  const origin = location.origin;
  const keyed = apiKey() !== '';
  const text = isText();
  const body = { ...request, format: text ? 'ndjson' : 'npy' };
  const json = JSON.stringify(body);
  if (lang === 'curl') {
    const lines = [`curl -s ${origin}/outliers \\`, "  -H 'content-type: application/json' \\"];
    if (keyed) lines.push('  -H "authorization: Bearer $GOE_API_KEY" \\');
    lines.push(`  -d '${json.replaceAll("'", "'\\''")}' \\`);
    lines.push(`  -o outliers.${body.format}`);
    return lines.join('\n');
  }
  if (lang === 'ts') {
    const { format: _format, ...req } = body;
    return [
      `import { streamOutliers } from '${SDK_IMPORT}';`,
      '',
      'const outliers = streamOutliers(',
      `  ${JSON.stringify(req)},`,
      `  { baseUrl: '${origin}'${keyed ? ', apiKey: process.env.GOE_API_KEY' : ''}, batchSize: 32 },`,
      ');',
      'for await (const batch of outliers) {',
      text
        ? '  console.log(batch.texts); // one string per sample'
        : '  console.log(batch.shape, batch.labels); // [n, h, w, c] uint8 pixels in batch.data',
      '}',
    ].join('\n');
  }
  const lines = ['import io, json, os, urllib.request', 'import numpy as np'];
  if (!text) lines.push('import torch');
  lines.push(
    '',
    `body = ${pythonLiteral(body)}`,
    'req = urllib.request.Request(',
    `    "${origin}/outliers",`,
    '    data=json.dumps(body).encode(),',
    `    headers={"content-type": "application/json"${keyed ? ', "authorization": "Bearer " + os.environ["GOE_API_KEY"]' : ''}},`,
    ')',
    'with urllib.request.urlopen(req) as res:',
  );
  if (text) {
    lines.push('    rows = [json.loads(line) for line in res]', 'texts = [r["text"] for r in rows]');
  } else {
    lines.push(
      `    x = np.load(io.BytesIO(res.read()))  # uint8, N×H×W×C`,
      '# N×C×H×W float32 in [0, 1], as torch.nn.Conv2d expects',
      'outliers = torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255',
    );
  }
  return lines.join('\n');
}

function renderSnippet() {
  if (!state.detail) return;
  $('snippet').firstElementChild.textContent = snippet(state.lang, currentRequest());
}

function selectTab(tab) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
  }
  state.lang = tab.dataset.lang;
  $('snippet').setAttribute('aria-labelledby', tab.id);
  renderSnippet();
}

async function copySnippet() {
  const text = $('snippet').textContent;
  const button = $('copy');
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    // Clipboard access is refused outside secure contexts (plain http on a non-loopback host): select the
    // text so that Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents($('snippet'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => {
    button.textContent = 'Copy';
  }, 2000);
}

// ---- wiring ---------------------------------------------------------------------------------------------

let timer;
function schedule() {
  clearTimeout(timer);
  renderSnippet();
  timer = setTimeout(update, 200);
}

async function start() {
  const key = $('api-key');
  key.value = sessionStorage.getItem(KEY_STORAGE) || '';
  key.addEventListener('change', async () => {
    if (key.value.trim()) sessionStorage.setItem(KEY_STORAGE, key.value.trim());
    else sessionStorage.removeItem(KEY_STORAGE);
    await boot();
  });
  $('model').addEventListener('change', async () => {
    try {
      await selectModel();
      update();
    } catch (err) {
      showProblem(err);
    }
  });
  $('level').addEventListener('input', () => {
    showLevel();
    schedule();
  });
  $('level-value').addEventListener('change', () => {
    levelTyped();
    schedule();
  });
  $('classes').addEventListener('change', () => {
    renderChips();
    schedule();
  });
  for (const id of ['seed', 'count']) $(id).addEventListener('change', schedule);
  $('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    renderChips();
    update();
  });
  $('download').addEventListener('click', download);
  $('copy').addEventListener('click', copySnippet);
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectTab(tab));
    tab.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      selectTab(next);
      next.focus();
    });
  }
  await boot();
}

async function boot() {
  try {
    await loadModels();
    clearProblem();
    await update();
  } catch (err) {
    showProblem(err);
    document.body.dataset.state = 'problem';
  }
}

start();
