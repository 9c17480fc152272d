/* global document, window, location */
// The demo pages' behaviour: plain browser JavaScript, no build step, no network
// beyond this app. Every element a test reads carries a data-testid.
'use strict';

const MAX_RETRIES = 3;
const ATTEMPT_TIMEOUT_MS = 8000;
const MiB = 1024 * 1024;

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const formatMs = (ms) => `${Math.round(ms)} ms`;
const formatRate = (bytes, ms) => `${(bytes / 1e6 / (ms / 1000)).toFixed(2)} MB/s`;

function setResult(el, text, kind) {
  el.textContent = text;
  el.classList.toggle('error', kind === 'error');
  el.classList.toggle('ok', kind === 'ok');
}

/** The error message of an API error body, or the status line. */
async function describeFailure(res) {
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) return `${res.status}: ${body.error.message}`;
  } catch {
    // Not JSON: fall through to the status text.
  }
  return `${res.status} ${res.statusText}`.trim();
}

function networkMessage(error) {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `timed out after ${ATTEMPT_TIMEOUT_MS / 1000} s`;
  return `network error (${error.message})`;
}

// --- status line: how long this page took to load -----------------------------
function showPageLoad() {
  const el = byTestId('page-load-status');
  if (!el) return;
  const [nav] = performance.getEntriesByType('navigation');
  // loadEventEnd is only set once the load handlers returned, hence the setTimeout.
  const ms = nav && nav.loadEventEnd > 0 ? nav.loadEventEnd - nav.startTime : performance.now();
  el.textContent = `Page loaded in ${formatMs(ms)}`;
  el.dataset.loadMs = String(Math.round(ms));
}

// --- Load items: retries with backoff on 5xx and network errors -----------------
async function loadItems() {
  const card = byTestId('items-card');
  const button = byTestId('load-items');
  const spinner = byTestId('items-spinner');
  const status = byTestId('items-status');
  const list = byTestId('items-list');
  button.disabled = true;
  spinner.hidden = false;
  card.dataset.state = 'loading';
  setResult(status, 'Loading…');
  list.replaceChildren();
  const started = performance.now();
  let failure = '';
  try {
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      if (attempt > 0) {
        card.dataset.state = 'retrying';
        setResult(status, `Retrying (${attempt}/${MAX_RETRIES})…`);
        await sleep(250 * 2 ** (attempt - 1));
      }
      let res;
      try {
        res = await fetch('/api/items', { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
      } catch (error) {
        failure = networkMessage(error);
        continue;
      }
      if (res.status >= 500) {
        failure = await describeFailure(res);
        continue;
      }
      if (!res.ok) {
        failure = await describeFailure(res);
        break;
      }
      const { items } = await res.json();
      for (const item of items) {
        const li = document.createElement('li');
        li.dataset.testid = 'item';
        li.textContent = item.name;
        list.append(li);
      }
      const retried = attempt > 0 ? ` after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}` : '';
      setResult(status, `Loaded ${items.length} items in ${formatMs(performance.now() - started)}${retried}`, 'ok');
      card.dataset.state = 'done';
      return;
    }
    setResult(status, `Could not load items: ${failure}`, 'error');
    card.dataset.state = 'error';
  } finally {
    button.disabled = false;
    spinner.hidden = true;
  }
}

// --- Add item -------------------------------------------------------------------
async function addItem(event) {
  event.preventDefault();
  const card = byTestId('add-item-card');
  const input = byTestId('item-name');
  const button = byTestId('add-item');
  const status = byTestId('add-item-status');
  button.disabled = true;
  card.dataset.state = 'loading';
  setResult(status, 'Saving…');
  const started = performance.now();
  try {
    const res = await fetch('/api/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name: input.value }),
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    if (!res.ok) {
      setResult(status, `Not added: ${await describeFailure(res)}`, 'error');
      card.dataset.state = 'error';
      return;
    }
    const item = await res.json();
    setResult(status, `Added "${item.name}" (#${item.id}) in ${formatMs(performance.now() - started)}`, 'ok');
    card.dataset.state = 'done';
    input.value = '';
  } catch (error) {
    setResult(status, `Not added: ${networkMessage(error)}`, 'error');
    card.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

// --- Live feed --------------------------------------------------------------------
let feed;

function toggleFeed() {
  if (feed) {
    feed.close(1000, 'closed by the page');
    return;
  }
  const card = byTestId('feed-card');
  const button = byTestId('feed-toggle');
  const status = byTestId('feed-status');
  const log = byTestId('feed-log');
  let count = 0;
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/feed`;
  const ws = new WebSocket(url);
  feed = ws;
  card.dataset.state = 'connecting';
  status.textContent = 'Connecting…';
  button.textContent = 'Disconnect';
  const opened = performance.now();

  ws.addEventListener('open', () => {
    card.dataset.state = 'open';
    status.textContent = `Connected in ${formatMs(performance.now() - opened)}`;
  });
  ws.addEventListener('message', (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    count++;
    byTestId('feed-count').textContent = String(count);
    const li = document.createElement('li');
    li.dataset.testid = 'feed-message';
    if (typeof message.seq === 'number') {
      // Server and page share a clock when both run on this machine.
      const lag = Math.max(0, Date.now() - message.t);
      byTestId('feed-lag').textContent = formatMs(lag);
      li.textContent = `tick #${message.seq} · lag ${formatMs(lag)}`;
      ws.send(JSON.stringify({ ping: message.seq, sentAt: performance.now() }));
    } else if (typeof message.ping === 'number') {
      const rtt = performance.now() - message.sentAt;
      byTestId('feed-rtt').textContent = formatMs(rtt);
      li.textContent = `echo #${message.ping} · round trip ${formatMs(rtt)}`;
    } else return;
    log.prepend(li);
    while (log.children.length > 20) log.lastElementChild.remove();
  });
  ws.addEventListener('close', (event) => {
    if (feed === ws) feed = undefined;
    card.dataset.state = 'closed';
    status.textContent = `Closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`;
    button.textContent = 'Connect';
  });
  ws.addEventListener('error', () => {
    status.textContent = 'Connection error';
  });
}

// --- Download 2 MiB ----------------------------------------------------------------
async function download() {
  const card = byTestId('download-card');
  const button = byTestId('download');
  const progress = byTestId('download-progress');
  const status = byTestId('download-status');
  button.disabled = true;
  card.dataset.state = 'loading';
  progress.value = 0;
  setResult(status, 'Downloading…');
  const started = performance.now();
  try {
    const res = await fetch('/download/2mb', { cache: 'no-store' });
    if (!res.ok || !res.body) {
      setResult(status, `Download failed: ${await describeFailure(res)}`, 'error');
      card.dataset.state = 'error';
      return;
    }
    const total = Number(res.headers.get('content-length')) || 2 * MiB;
    const reader = res.body.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      progress.value = bytes / total;
    }
    const ms = performance.now() - started;
    setResult(status, `${(bytes / MiB).toFixed(2)} MiB in ${(ms / 1000).toFixed(2)} s · ${formatRate(bytes, ms)}`, 'ok');
    card.dataset.state = 'done';
  } catch (error) {
    setResult(status, `Download failed: ${networkMessage(error)}`, 'error');
    card.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

// --- Upload 1 MiB ------------------------------------------------------------------
async function upload() {
  const card = byTestId('upload-card');
  const button = byTestId('upload');
  const status = byTestId('upload-status');
  button.disabled = true;
  card.dataset.state = 'loading';
  setResult(status, 'Uploading…');
  const body = new Uint8Array(MiB).fill(120);
  const started = performance.now();
  try {
    const res = await fetch('/api/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
    if (!res.ok) {
      setResult(status, `Upload failed: ${await describeFailure(res)}`, 'error');
      card.dataset.state = 'error';
      return;
    }
    const answer = await res.json();
    const ms = performance.now() - started;
    setResult(status, `${(answer.bytes / MiB).toFixed(2)} MiB in ${(ms / 1000).toFixed(2)} s · ${formatRate(answer.bytes, ms)}`, 'ok');
    card.dataset.state = 'done';
  } catch (error) {
    setResult(status, `Upload failed: ${networkMessage(error)}`, 'error');
    card.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

function on(testId, event, handler) {
  const el = byTestId(testId);
  if (el) el.addEventListener(event, handler);
}

on('load-items', 'click', loadItems);
on('add-item-form', 'submit', addItem);
on('feed-toggle', 'click', toggleFeed);
on('download', 'click', download);
on('upload', 'click', upload);
window.addEventListener('load', () => setTimeout(showPageLoad, 0));
