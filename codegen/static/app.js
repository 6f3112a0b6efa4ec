// The hash router: #/, #/login, #/signup, #/new, #/g/<id>, #/p/<project id>, #/history.
// Each screen is a module of screens/; this one picks it and keeps one screen alive at a time.

import { clearSession, getEmail, getToken, onUnauthorized } from './api.js';
import { h, setText } from './dom.js';
import { authScreen } from './screens/auth.js';
import { conversationScreen } from './screens/conversation.js';
import { generationScreen } from './screens/generation.js';
import { historyScreen } from './screens/history.js';
import { landingScreen } from './screens/landing.js';
import { newScreen } from './screens/new.js';
import { NEXT_KEY, NOTICE_KEY, focusHeading, go, main, screen } from './ui.js';

const nav = document.querySelector('.site-nav');
const who = document.getElementById('who');

// One screen at a time: each render gets a context; leaving it runs its cleanups
// and makes `ctx.alive` false so late answers do not draw on the next screen.
let current = null;

function newContext() {
  if (current) current.leave();
  const cleanups = [];
  const ctx = {
    alive: true,
    onLeave(fn) {
      cleanups.push(fn);
    },
    leave() {
      ctx.alive = false;
      for (const fn of cleanups.splice(0)) {
        try {
          fn();
        } catch (err) {
          console.error(err);
        }
      }
    },
  };
  current = ctx;
  return ctx;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

function updateNav(route) {
  const signedIn = Boolean(getToken());
  nav.hidden = !signedIn;
  setText(who, signedIn ? getEmail() || '' : '');
  for (const link of nav.querySelectorAll('a[data-nav]')) {
    if (link.dataset.nav === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function render() {
  const { path, params } = parseHash();
  const ctx = newContext();
  const signedIn = Boolean(getToken());
  let m;
  if (path === '/login' || path === '/signup') {
    if (signedIn) return go('#/new');
    updateNav(null);
    authScreen(ctx, path === '/signup' ? 'signup' : 'login');
  } else if (!signedIn && (path === '/' || path === '' || path === '/welcome')) {
    updateNav(null);
    landingScreen(ctx);
  } else if (!signedIn) {
    sessionStorage.setItem(NEXT_KEY, location.hash);
    location.replace('#/login');
    return;
  } else if (path === '/' || path === '' || path === '/new') {
    updateNav('new');
    newScreen(ctx, params);
  } else if ((m = /^\/g\/([^/]+)$/.exec(path))) {
    updateNav(null);
    generationScreen(ctx, decodeURIComponent(m[1]));
  } else if ((m = /^\/p\/([^/]+)$/.exec(path))) {
    updateNav('history');
    conversationScreen(ctx, decodeURIComponent(m[1]));
  } else if (path === '/history') {
    updateNav('history');
    historyScreen(ctx);
  } else {
    updateNav(null);
    screen('Page not found', h('p', {}, 'There is nothing at this address. '), h('p', {}, h('a', { href: '#/new' }, 'Start a new generation')));
  }
  focusHeading();
}

function signOut(message) {
  if (current) current.leave();
  clearSession();
  if (message) sessionStorage.setItem(NOTICE_KEY, message);
  go('#/login');
}

onUnauthorized(() => {
  if (getToken()) signOut('Your session has ended. Sign in again to continue.');
});

document.getElementById('sign-out').addEventListener('click', () => {
  signOut('You are signed out.');
});

document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault(); // keep the route in the hash
  main.focus();
});

window.addEventListener('hashchange', render);
render();
