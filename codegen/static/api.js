// The HTTP client: JWT header, JSON in and out, errors a person can read.
//
// Every failure becomes an ApiError whose `message` is plain words taken from
// the server's `detail` (a string, or a pydantic-style list turned into
// "prompt: String should have at least 10 characters"), never "[object Object]".

const TOKEN_KEY = 'codegen.token';
const EMAIL_KEY = 'codegen.email';

export const API_PREFIX = '/api';

// ---------------------------------------------------------------- session

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function getEmail() {
  try {
    return sessionStorage.getItem(EMAIL_KEY);
  } catch {
    return null;
  }
}

export function setSession(token, email) {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (email != null) sessionStorage.setItem(EMAIL_KEY, email);
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(EMAIL_KEY);
}

// Called when an authenticated request answers 401: the app signs out.
let unauthorizedHandler = null;
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

// ---------------------------------------------------------------- errors

export class ApiError extends Error {
  constructor(message, { status = 0, detail = null, retryAfter = null, network = false } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status; // 0 for a network failure
    this.detail = detail; // the raw `detail` from the body, when there was one
    this.retryAfter = retryAfter; // seconds, from Retry-After, or null
    this.network = network;
  }
}

const LOC_ROOTS = new Set(['body', 'query', 'path', 'header', 'headers', 'cookie']);

function formatValidationItem(item) {
  if (item == null) return '';
  if (typeof item !== 'object') return String(item);
  const msg = typeof item.msg === 'string' ? item.msg : (typeof item.message === 'string' ? item.message : '');
  let loc = Array.isArray(item.loc) ? item.loc.slice() : [];
  if (loc.length && LOC_ROOTS.has(String(loc[0]))) loc = loc.slice(1);
  const where = loc.map(String).join('.');
  if (item.type === 'string_pattern_mismatch') {
    // pydantic's text is a regular expression; say what it means instead
    return `${where || 'value'}: ${/email/i.test(where) ? 'not a valid email address' : 'not in the expected format'}`;
  }
  if (msg && where) return `${where}: ${msg}`;
  if (msg) return msg;
  try {
    return JSON.stringify(item);
  } catch {
    return 'Invalid request';
  }
}

// Turn any `detail` (string, list of validation items, object) into one line.
export function formatDetail(detail) {
  if (detail == null) return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail.map(formatValidationItem).filter(Boolean).join('; ');
  }
  if (typeof detail === 'object') {
    if (typeof detail.msg === 'string' || Array.isArray(detail.loc)) return formatValidationItem(detail);
    if (typeof detail.message === 'string') return detail.message;
    if ('detail' in detail) return formatDetail(detail.detail);
    try {
      return JSON.stringify(detail);
    } catch {
      return 'Unexpected error';
    }
  }
  return String(detail);
}

// Retry-After is delta-seconds or an HTTP date; answer whole seconds or null.
export function parseRetryAfter(value) {
  if (value == null || value === '') return null;
  const trimmed = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.ceil(Number(trimmed)));
  const when = Date.parse(trimmed);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

export function formatWait(seconds) {
  if (seconds == null) return 'a moment';
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

const STATUS_WORDS = {
  400: 'The request was not accepted',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'The request is too large',
  422: 'The request is not valid',
  429: 'Too many requests',
  500: 'The server had an internal error',
  502: 'The server is unreachable (bad gateway)',
  503: 'Service temporarily unavailable',
  504: 'The server took too long to answer',
};

async function errorFromResponse(response) {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  let detail = null;
  let text = '';
  try {
    text = await response.text();
  } catch {
    text = '';
  }
  if (text) {
    try {
      const body = JSON.parse(text);
      detail = body && typeof body === 'object' && 'detail' in body ? body.detail : body;
    } catch {
      detail = null; // an HTML error page from a proxy: do not show markup
    }
  }
  let message = formatDetail(detail);
  if (!message) {
    message = STATUS_WORDS[response.status] || `The server answered ${response.status}`;
    if (response.status >= 500 || !STATUS_WORDS[response.status]) message += ` (HTTP ${response.status})`;
  }
  if (response.status === 429 && retryAfter != null && !/wait \d/.test(message)) {
    message += ` Try again in ${formatWait(retryAfter)}.`;
  }
  return new ApiError(message, { status: response.status, detail, retryAfter });
}

// ---------------------------------------------------------------- requests

function apiUrl(path) {
  if (/^https?:\/\//.test(path) || path.startsWith(API_PREFIX + '/')) return path;
  return API_PREFIX + (path.startsWith('/') ? path : '/' + path);
}

// request('GET', '/generations') -> parsed JSON (or null for 204).
// Options: body (JSON-encoded), auth (default true), as: 'json' | 'text' | 'response'.
export async function request(method, path, { body, auth = true, as = 'json', signal, headers = {} } = {}) {
  const init = { method, headers: { Accept: as === 'json' ? 'application/json' : '*/*', ...headers }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const token = auth ? getToken() : null;
  if (token) init.headers.Authorization = `Bearer ${token}`;

  let response;
  try {
    response = await fetch(apiUrl(path), init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError('Cannot reach the server. Check your connection and try again.', { network: true });
  }
  if (!response.ok) {
    const error = await errorFromResponse(response);
    if (response.status === 401 && auth && token && unauthorizedHandler) unauthorizedHandler(error);
    throw error;
  }
  if (as === 'response') return response;
  if (as === 'text') return response.text();
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('The server sent an answer that is not JSON.', { status: response.status });
  }
}

// ---------------------------------------------------------------- the API

export const api = {
  register: (email, password) => request('POST', '/auth/register', { body: { email, password }, auth: false }),
  login: (email, password) => request('POST', '/auth/login', { body: { email, password }, auth: false }),
  me: () => request('GET', '/auth/me'),

  generate: (payload) => request('POST', '/generations/generate', { body: payload }),
  generation: (id) => request('GET', `/generations/${encodeURIComponent(id)}`),
  generations: (query = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v != null && v !== '') params.set(k, v);
    const qs = params.toString();
    return request('GET', '/generations' + (qs ? `?${qs}` : ''));
  },
  cancel: (id) => request('POST', `/generations/${encodeURIComponent(id)}/cancel`),
  files: (id) => request('GET', `/generations/${encodeURIComponent(id)}/files`),
  diff: (id, against) =>
    request('GET', `/generations/${encodeURIComponent(id)}/diff` + (against ? `?against=${encodeURIComponent(against)}` : ''), {
      as: 'text',
    }),
  download: (id) => request('GET', `/generations/${encodeURIComponent(id)}/download`, { as: 'response' }),
  streamToken: (id) => request('POST', `/generations/generate/${encodeURIComponent(id)}/stream-token`),
  previewToken: (id) => request('POST', `/generations/${encodeURIComponent(id)}/preview-token`),

  // what the configured generator writes, and prompts that work with it (no sign-in needed)
  generator: () => request('GET', '/generator', { auth: false }),

  projects: () => request('GET', '/projects'),
  project: (id) => request('GET', `/projects/${encodeURIComponent(id)}`),
};

// Save a Response body (a zip) as a file, with the server's file name if given.
export async function saveResponseAs(response, fallbackName) {
  const blob = await response.blob();
  let name = fallbackName;
  const disposition = response.headers.get('Content-Disposition') || '';
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  try {
    if (star) name = decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    else if (plain) name = plain[1].trim();
  } catch {
    /* keep the fallback */
  }
  name = name.replace(/[\\/]/g, '_') || fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { name, size: blob.size };
}
