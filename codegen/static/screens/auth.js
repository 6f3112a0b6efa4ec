// #/login and #/signup: the form, its checks before sending, and where to go once signed in.

import { api, setSession } from '../api.js';
import { h, clear, setText, nextId } from '../dom.js';
import { NEXT_KEY, NOTICE_KEY, alertBox, announce, errorText, go, noticeBox, screen } from '../ui.js';

export function authScreen(ctx, mode) {
  const signup = mode === 'signup';
  const emailId = nextId('email');
  const passwordId = nextId('password');
  const hintId = nextId('password-hint');
  const errors = h('div', { class: 'form-errors' });
  const email = h('input', { id: emailId, name: 'email', type: 'email', autocomplete: 'email', required: true });
  const password = h('input', {
    id: passwordId,
    name: 'password',
    type: 'password',
    autocomplete: signup ? 'new-password' : 'current-password',
    required: true,
    minlength: signup ? '8' : null,
    'aria-describedby': signup ? hintId : null,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, signup ? 'Create account' : 'Sign in');
  const notice = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);

  // the notice ("You are signed out.") gives way to whatever the form says next: one message at a time
  let noticeShown = notice ? noticeBox(notice) : null;
  const form = h(
    'form',
    { class: 'card auth-form', novalidate: true },
    noticeShown,
    h('div', { class: 'field' }, h('label', { for: emailId }, 'Email'), email),
    h(
      'div',
      { class: 'field' },
      h('label', { for: passwordId }, 'Password'),
      password,
      signup ? h('p', { class: 'hint', id: hintId }, 'At least 8 characters.') : null,
    ),
    errors,
    h('div', { class: 'actions' }, submit),
    h(
      'p',
      { class: 'switch' },
      signup ? 'Already have an account? ' : 'No account yet? ',
      h('a', { href: signup ? '#/login' : '#/signup' }, signup ? 'Sign in' : 'Create one'),
    ),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(errors);
    if (noticeShown) {
      noticeShown.remove();
      noticeShown = null;
    }
    const address = email.value.trim();
    if (!address || !address.includes('@')) {
      errors.append(alertBox('Enter your email address, like name@example.com.'));
      email.focus();
      return;
    }
    if (!password.value) {
      errors.append(alertBox('Enter your password.'));
      password.focus();
      return;
    }
    if (signup && password.value.length < 8) {
      errors.append(alertBox('The password needs at least 8 characters.'));
      password.focus();
      return;
    }
    submit.disabled = true;
    setText(submit, signup ? 'Creating account…' : 'Signing in…');
    try {
      const answer = signup ? await api.register(address, password.value) : await api.login(address, password.value);
      setSession(answer.access_token, answer.email || address);
      const next = sessionStorage.getItem(NEXT_KEY);
      sessionStorage.removeItem(NEXT_KEY);
      announce(signup ? 'Account created. You are signed in.' : 'Signed in.');
      go(next && next.startsWith('#/') && !next.startsWith('#/login') && !next.startsWith('#/signup') ? next : '#/new');
    } catch (err) {
      if (!ctx.alive) return;
      errors.append(alertBox(errorText(err)));
      submit.disabled = false;
      setText(submit, signup ? 'Create account' : 'Sign in');
    }
  });

  screen(signup ? 'Create an account' : 'Sign in', form);
}
