// THE streaming client: the only module that opens an EventSource.
//
// The rules (docs/client.md, ../shared/API.md "Streaming progress"):
//  1. Get a single-use token: POST /api/generations/generate/{id}/stream-token
//     (Authorization header), then open
//     EventSource(stream_url + '?token=' + token [+ '&last_event_id=' + last id seen]).
//  2. Parse each message's JSON; remember the last `id`; ignore any event whose
//     id is not greater than it (no duplicates after a resume).
//  3. Close on the terminal event (status completed / failed / cancelled).
//  4. Token answered 400 (failed, cancelled, completed) or any other 4xx: stop
//     and report the server's `detail`. Token answered 429: stop every request
//     and report the wait from Retry-After.
//  5. The EventSource reported an error (the connection dropped, or the stream
//     request was refused): close it at once (the browser's own reconnect would
//     reuse the spent token and get a 401) and reconnect ourselves with a NEW
//     token and last_event_id, at most 5 times, backoff about 1, 2, 4, 8, 16 s
//     with jitter; then stop and offer a Reconnect. A new progress event resets
//     the retry counter.
//  6. One stream per generation per tab: a module-level registry keyed by id;
//     a second watchGeneration() for the same id shares the first one's stream.
//
// Whether to stream at all is the caller's call: a generation that is already
// terminal (GET /api/generations/{id}) is shown without asking for a token.

import { api, formatWait } from './api.js';

export const TERMINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);
export const MAX_RETRIES = 5;
export const DEFAULT_BASE_DELAY_MS = 1000;

// generation id -> Stream
const registry = new Map();

// The delay before retry number `attempt` (1..MAX_RETRIES): base * 2^(attempt-1),
// times a jitter factor in [0.8, 1.2). Consecutive delays always grow
// (2 * 0.8 > 1.2), so the gaps between token requests grow.
export function backoffDelay(attempt, baseMs = DEFAULT_BASE_DELAY_MS, random = Math.random) {
  const factor = 0.8 + 0.4 * random();
  return Math.round(baseMs * 2 ** (attempt - 1) * factor);
}

function configuredBaseDelay(option) {
  if (Number.isFinite(option) && option >= 0) return option;
  const fromWindow = Number(globalThis.CODEGEN_STREAM_BASE_DELAY_MS);
  if (globalThis.CODEGEN_STREAM_BASE_DELAY_MS != null && Number.isFinite(fromWindow) && fromWindow >= 0) {
    return fromWindow;
  }
  return DEFAULT_BASE_DELAY_MS;
}

export function isTerminal(status) {
  return TERMINAL_STATUSES.has(status);
}

export function buildStreamUrl(streamUrl, sseToken, lastEventId) {
  let url = streamUrl + (streamUrl.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(sseToken);
  if (lastEventId != null) url += '&last_event_id=' + encodeURIComponent(String(lastEventId));
  return url;
}

class Stream {
  constructor(generationId, { baseDelayMs, lastEventId = null } = {}) {
    this.id = generationId;
    this.baseDelayMs = configuredBaseDelay(baseDelayMs);
    this.lastEventId = lastEventId; // a number, or null before the first event
    this.retries = 0; // consecutive failed attempts since the last good event
    this.state = 'idle'; // idle | connecting | open | waiting | stopped | done | closed
    this.source = null;
    this.timer = null;
    this.subscribers = new Set();
    this.events = []; // accepted events, replayed to late subscribers
    this.snapshot = null; // the latest {status, stage, progress, message}
    this.problem = null; // the last stop reason, replayed to late subscribers
    this.tokenRequests = 0;
    // live file content: path -> {text, done, epoch}; epoch changes when the text was replaced (offset 0)
    this.files = new Map();
    this.fileEpoch = 0;
  }

  // ------------------------------------------------------------ subscribers

  subscribe(handlers) {
    const sub = { ...handlers };
    this.subscribers.add(sub);
    // catch a late subscriber up with what this tab has already seen
    for (const { data, id } of this.events) call(sub.onEvent, data, id);
    for (const [path, file] of this.files) call(sub.onFile, path, file);
    if (this.snapshot) call(sub.onStatus, this.snapshot);
    call(sub.onState, this.state, this.stateInfo || {});
    if (this.problem) call(sub.onError, this.problem);
    return sub;
  }

  unsubscribe(sub) {
    this.subscribers.delete(sub);
    if (this.subscribers.size === 0) this.close();
  }

  emit(name, ...args) {
    for (const sub of [...this.subscribers]) call(sub[name], ...args);
  }

  setState(state, info = {}) {
    this.state = state;
    this.stateInfo = info;
    this.emit('onState', state, info);
  }

  // ------------------------------------------------------------ lifecycle

  start() {
    if (this.state === 'idle') this.connect();
  }

  // The Reconnect button: only after the stream stopped (not done, not closed).
  reconnect() {
    if (this.state !== 'stopped') return false;
    this.retries = 0;
    this.problem = null;
    this.connect();
    return true;
  }

  close() {
    if (this.state === 'closed') return;
    this.clearTimer();
    this.closeSource();
    if (this.state !== 'done') this.state = 'closed';
    if (registry.get(this.id) === this) registry.delete(this.id);
  }

  get alive() {
    return this.state !== 'closed' && this.state !== 'done';
  }

  clearTimer() {
    if (this.timer != null) clearTimeout(this.timer);
    this.timer = null;
  }

  closeSource() {
    if (this.source) {
      const es = this.source;
      this.source = null;
      es.onopen = es.onmessage = es.onerror = null;
      es.close();
    }
  }

  stop(problem) {
    this.clearTimer();
    this.closeSource();
    this.problem = problem;
    this.setState('stopped', problem);
    this.emit('onError', problem);
  }

  async connect() {
    if (!this.alive) return;
    this.clearTimer();
    this.closeSource();
    this.setState('connecting', { attempt: this.retries });

    let grant;
    this.tokenRequests += 1;
    try {
      grant = await api.streamToken(this.id);
    } catch (err) {
      if (!this.alive || this.state !== 'connecting') return;
      if (err && err.status === 429) {
        const wait = err.retryAfter;
        this.stop({
          kind: 'rate_limited',
          status: 429,
          retryAfter: wait,
          canReconnect: true,
          message: `${err.message.replace(/\s*Try again in .*$/, '')} Live progress is paused; you can reconnect in ${formatWait(wait)}.`,
        });
        return;
      }
      if (err && (err.network || err.status >= 500)) {
        this.retryLater(err.message);
        return;
      }
      // 400 (failed, cancelled, already completed), 401, 404, ...: never retry
      this.stop({
        kind: 'refused',
        status: err ? err.status : 0,
        canReconnect: false,
        message: (err && err.message) || 'The server refused to stream this generation.',
      });
      return;
    }
    if (!this.alive || this.state !== 'connecting') return;

    const url = buildStreamUrl(grant.stream_url, grant.sse_token, this.lastEventId);
    const es = new EventSource(url);
    this.source = es;
    es.onopen = () => {
      if (this.source === es) this.setState('open', {});
    };
    es.onmessage = (ev) => {
      if (this.source === es) this.onMessage(ev);
    };
    es.onerror = () => {
      if (this.source !== es) return;
      // close at once: the browser's automatic retry would reuse the spent token
      this.closeSource();
      if (this.alive) this.retryLater('The connection to the server was lost.');
    };
    // live file content: named events, which onmessage never sees
    es.addEventListener('file', (ev) => {
      if (this.source === es) this.onFile(ev);
    });
    // a server that ends a stream early (shutting down) says so with a named event
    es.addEventListener('reconnect', () => {
      if (this.source !== es) return;
      this.closeSource();
      if (this.alive) this.retryLater('The server ended the stream early.');
    });
  }

  retryLater(reason) {
    if (this.retries >= MAX_RETRIES) {
      this.stop({
        kind: 'gave_up',
        status: 0,
        canReconnect: true,
        message: `${reason} Gave up after ${MAX_RETRIES} attempts to reconnect.`,
      });
      return;
    }
    this.retries += 1;
    const delay = backoffDelay(this.retries, this.baseDelayMs);
    this.setState('waiting', { attempt: this.retries, of: MAX_RETRIES, delayMs: delay, reason });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  // offset 0 replaces the file; otherwise append what is past what we hold (shared/API.md, "Live file content")
  onFile(ev) {
    let d;
    try {
      d = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (!d || typeof d.path !== 'string' || typeof d.text !== 'string' || !Number.isInteger(d.offset)) return;
    let file = this.files.get(d.path);
    if (d.offset === 0) {
      this.fileEpoch += 1;
      file = { text: d.text, done: d.done === true, epoch: this.fileEpoch };
      this.files.set(d.path, file);
    } else {
      if (!file || d.offset > file.text.length) return; // never sent by the server; the next snapshot mends it
      const tail = d.text.slice(file.text.length - d.offset);
      if (tail) file.text += tail;
      file.done = d.done === true;
    }
    this.emit('onFile', d.path, file);
  }

  onMessage(ev) {
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return; // not ours to guess at
    }
    if (!data || typeof data !== 'object') return;
    const id = ev.lastEventId !== '' && ev.lastEventId != null ? Number(ev.lastEventId) : null;

    // progress never goes down on screen: the replay after `connected` (which carries the current
    // progress) restarts from the first event's
    const previous = this.snapshot && typeof this.snapshot.progress === 'number' ? this.snapshot.progress : 0;
    this.snapshot = {
      status: data.status,
      stage: data.stage,
      progress: typeof data.progress === 'number' ? Math.max(previous, data.progress) : previous,
      message: data.message,
    };

    if (data.stage === 'connected') {
      // a fresh snapshot of the generation, not part of the numbered sequence
      this.emit('onStatus', this.snapshot, data);
    } else {
      if (id != null && Number.isFinite(id)) {
        if (this.lastEventId != null && id <= this.lastEventId) return; // seen already
        this.lastEventId = id;
      }
      this.retries = 0; // a good event: the connection works
      this.events.push({ data, id });
      this.emit('onEvent', data, id);
      this.emit('onStatus', this.snapshot, data);
    }

    if (isTerminal(data.status)) {
      this.clearTimer();
      this.closeSource();
      this.setState('done', { status: data.status });
      if (registry.get(this.id) === this) registry.delete(this.id);
      this.emit('onDone', data);
    }
  }
}

function call(fn, ...args) {
  if (typeof fn !== 'function') return;
  try {
    fn(...args);
  } catch (err) {
    console.error('stream subscriber failed', err);
  }
}

// Watch one generation's progress. Handlers (all optional):
//   onEvent(data, id)    each new progress event, in order, never twice
//   onStatus(snapshot)   {status, stage, progress, message} after every event
//   onState(state, info) connecting | open | waiting {attempt, of, delayMs} | stopped | done
//   onError(problem)     {kind: 'refused' | 'rate_limited' | 'gave_up', status, message,
//                         retryAfter?, canReconnect}; the stream has stopped
//   onDone(data)         the terminal event
//   onFile(path, file)   live file content: file is {text, done, epoch} as assembled so far (the same
//                        object while it grows; a new one, with a new epoch, when it was replaced)
// Options: baseDelayMs (backoff base; default window.CODEGEN_STREAM_BASE_DELAY_MS or 1000).
// Returns {close(), reconnect(), state, lastEventId}. Calling it again for the
// same generation shares the open stream instead of opening a second one.
export function watchGeneration(generationId, handlers = {}) {
  let stream = registry.get(generationId);
  if (!stream || !stream.alive) {
    stream = new Stream(generationId, { baseDelayMs: handlers.baseDelayMs });
    registry.set(generationId, stream);
  }
  const sub = stream.subscribe(handlers);
  stream.start();
  let closed = false;
  return {
    generationId,
    close() {
      if (closed) return;
      closed = true;
      stream.unsubscribe(sub);
    },
    reconnect() {
      if (closed) return false;
      if (!stream.alive) return false;
      return stream.reconnect();
    },
    get state() {
      return stream.state;
    },
    get lastEventId() {
      return stream.lastEventId;
    },
    get tokenRequests() {
      return stream.tokenRequests;
    },
    get files() {
      return stream.files;
    },
  };
}

// For tests and debugging: the generations this tab is streaming right now.
export function activeStreams() {
  return [...registry.keys()];
}
