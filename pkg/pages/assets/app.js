// The one script of the hosted account pages: plain JavaScript, no build step. It calls the
// JSON API of the same origin (../v1/... from /account/<page>) with the session token it
// keeps in sessionStorage, and does WebAuthn. It never writes HTML from strings: every text
// goes in through textContent (the pages' Content-Security-Policy requires Trusted Types, so an
// assignment of markup to an element would throw).
'use strict';

(() => {
  const TOKEN_KEY = 'userbase.session';
  const LANGS = ['en', 'fa', 'ru'];
  const PAGES = ['profile', 'security', 'delete'];
  const page = document.body.dataset.page;
  const lang = document.documentElement.lang;
  const signedInPage = document.body.hasAttribute('data-signed-in');
  const params = new URLSearchParams(location.search);

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // The token lives in this tab's sessionStorage only: it is gone when the tab closes, and
  // no request carries it unless this script adds it (so there is nothing to forge across
  // sites). docs/account-pages.md weighs this against an HttpOnly cookie.
  const token = {
    get: () => sessionStorage.getItem(TOKEN_KEY),
    set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
    clear: () => sessionStorage.removeItem(TOKEN_KEY),
  };

  // msg returns a text the page was rendered with, in its language; each %s takes an arg.
  function msg(key, ...args) {
    const el = $(`#messages [data-msg="${key}"]`);
    let s = el ? el.textContent : key;
    for (const a of args) s = s.replace('%s', a);
    return s;
  }

  // withLang is a page link in language l.
  function link(pageName, query = {}) {
    const q = new URLSearchParams({ lang, ...query });
    return `${pageName}?${q}`;
  }

  class Problem extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || `HTTP ${status}`);
      this.status = status;
      this.body = body || {};
      this.code = this.body.code || '';
    }
  }
  // Cancelled is thrown when the person closes the re-authentication dialog.
  class Cancelled extends Error {}

  // call sends one API request. A 403 reauthentication_required asks for the password
  // (or a passkey) and retries once; a 401 on a signed-in page goes back to sign-in.
  async function call(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json', 'Accept-Language': lang };
    const t = token.get();
    if (t && opts.auth !== false) headers.Authorization = `Bearer ${t}`;
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(opts.url || `../${path}`, {
        method, headers, body: payload, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      throw new Problem(0, { detail: msg('network') });
    }
    if (resp.ok && opts.raw) return resp;
    let data = null;
    if ((resp.headers.get('Content-Type') || '').includes('json')) data = await resp.json().catch(() => null);
    if (resp.ok) return data;
    const p = new Problem(resp.status, data);
    if (resp.status === 403 && p.code === 'reauthentication_required' && opts.reauth !== false) {
      await reauthenticate();
      return call(method, path, body, { ...opts, reauth: false });
    }
    if (resp.status === 401 && p.code === 'unauthenticated' && signedInPage) {
      token.clear();
      goSignIn('session_ended');
      throw new Cancelled();
    }
    throw p;
  }

  // unavailable reports an answer that says the server lacks the route.
  const unavailable = (err) => err instanceof Problem && (err.status === 404 || err.status === 405);

  function goSignIn(note) {
    const q = {};
    if (signedInPage) q.next = page;
    if (note) q.msg = note;
    location.replace(link('sign-in', q));
  }

  // ---- Messages and field errors ----

  function box(el) {
    return { alert: $('.form-alert', el), status: $('.form-status', el) };
  }

  function clearErrors(el) {
    for (const e of $$('.field-error', el)) { e.hidden = true; e.textContent = ''; }
    for (const i of $$('[aria-invalid]', el)) i.removeAttribute('aria-invalid');
    const b = box(el);
    if (b.alert) b.alert.textContent = '';
    if (b.status) b.status.textContent = '';
  }

  function fieldError(el, name, text) {
    const input = $(`[name="${name}"]`, el);
    if (!input) return null;
    const out = document.getElementById(`${input.id}-error`);
    if (out) { out.textContent = text; out.hidden = false; }
    input.setAttribute('aria-invalid', 'true');
    return input;
  }

  // showError puts a problem's field messages under their inputs and its detail into the
  // form's alert region (announced at once), then focuses the first bad input.
  function showError(el, err) {
    if (err instanceof Cancelled) return;
    const body = err instanceof Problem ? err.body : {};
    let first = null;
    for (const fe of Array.isArray(body.errors) ? body.errors : []) {
      const input = fieldError(el, fe.field, fe.message || fe.code);
      first = first || input;
    }
    const b = box(el);
    const text = body.detail || body.title || msg('error');
    if (b.alert) b.alert.textContent = text; else say(text);
    if (first) first.focus();
  }

  function ok(el, text) {
    const b = box(el);
    if (b.status) b.status.textContent = text; else say(text);
  }

  // say writes to the page's own status region.
  function say(text) { $('#status').textContent = text; }

  async function busy(button, fn) {
    if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
    try {
      return await fn();
    } finally {
      if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
    }
  }

  // onSubmit runs fn(values) when form is sent, showing whatever goes wrong in it.
  function onSubmit(form, fn) {
    if (!form) return;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      try {
        await busy($('button[type=submit]', form), () => fn(Object.fromEntries(new FormData(form)), form));
      } catch (err) {
        showError(form, err);
      }
    });
  }

  // onClick is onSubmit for a lone button inside container.
  function onClick(button, container, fn) {
    if (!button) return;
    button.addEventListener('click', async () => {
      clearErrors(container);
      try {
        await busy(button, fn);
      } catch (err) {
        showError(container, err);
      }
    });
  }

  // finish hides a one-button page's form and shows its outcome and next link.
  function finish(form, text) {
    form.hidden = true;
    say(text);
    for (const a of $$('.after')) a.hidden = false;
    $('#main').focus();
  }

  // ---- Session start and end ----

  // signedIn keeps a sign-in answer's token and goes to the page asked for, in the user's
  // language when the pages have it.
  function signedIn(answer, extra = {}) {
    token.set(answer.token);
    const l = LANGS.includes(answer.user && answer.user.language) ? answer.user.language : lang;
    const next = PAGES.includes(params.get('next')) ? params.get('next') : 'profile';
    location.assign(`${next}?${new URLSearchParams({ lang: l, ...extra })}`);
  }

  async function signOut(all) {
    try {
      await call('POST', all ? 'v1/auth/logout?all=true' : 'v1/auth/logout');
    } catch (err) {
      if (err instanceof Cancelled) return;
    }
    token.clear();
    location.assign(link('sign-in', { msg: 'signed_out' }));
  }

  // selfURL is a link template to one of these pages, for mails.
  function selfURL(pageName, query = {}) {
    const q = new URLSearchParams({ lang, ...query });
    return new URL(`${pageName}?${q}&code={{code}}`, location.href).href.replace('%7B%7Bcode%7D%7D', '{{code}}');
  }

  // ---- WebAuthn ----

  const b64u = {
    decode(s) {
      const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
      return Uint8Array.from(b, (c) => c.charCodeAt(0)).buffer;
    },
    encode(buf) {
      let s = '';
      for (const x of new Uint8Array(buf)) s += String.fromCharCode(x);
      return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    },
  };
  // inner takes the options out of their {"publicKey": …} wrapper, if any, and drops null
  // members, which the browser's JSON parsers refuse where a member may only be absent.
  const inner = (o) => JSON.parse(JSON.stringify(o && o.publicKey ? o.publicKey : o, (k, v) => (v === null ? undefined : v)));

  function requestOptions(o) {
    o = inner(o);
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(o);
    return {
      ...o,
      challenge: b64u.decode(o.challenge),
      allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: b64u.decode(c.id) })),
    };
  }

  function creationOptions(o) {
    o = inner(o);
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(o);
    return {
      ...o,
      challenge: b64u.decode(o.challenge),
      user: { ...o.user, id: b64u.decode(o.user.id) },
      excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: b64u.decode(c.id) })),
    };
  }

  function credentialJSON(c) {
    if (typeof c.toJSON === 'function') return c.toJSON();
    const r = c.response;
    const out = {
      id: c.id, rawId: b64u.encode(c.rawId), type: c.type,
      authenticatorAttachment: c.authenticatorAttachment || undefined,
      clientExtensionResults: c.getClientExtensionResults(),
      response: { clientDataJSON: b64u.encode(r.clientDataJSON) },
    };
    if (r.attestationObject) {
      out.response.attestationObject = b64u.encode(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = b64u.encode(r.authenticatorData);
      out.response.signature = b64u.encode(r.signature);
      if (r.userHandle) out.response.userHandle = b64u.encode(r.userHandle);
    }
    return out;
  }

  function needPasskeys() {
    if (!window.PublicKeyCredential || !navigator.credentials) throw new Problem(0, { detail: msg('passkey_unsupported') });
  }

  // assertion asks the browser for a passkey to sign a fresh challenge of the server's.
  async function assertion() {
    needPasskeys();
    let opts;
    try {
      opts = await call('POST', 'v1/auth/passkey/options', {}, { auth: false, reauth: false });
    } catch (err) {
      if (unavailable(err)) throw new Problem(0, { detail: msg('unavailable') });
      throw err;
    }
    let cred;
    try {
      cred = await navigator.credentials.get({ publicKey: requestOptions(opts.options) });
    } catch (e) {
      throw new Problem(0, { detail: msg('passkey_cancelled') });
    }
    if (!cred) throw new Problem(0, { detail: msg('passkey_cancelled') });
    return { challenge_id: opts.challenge_id, credential: credentialJSON(cred) };
  }

  // ---- Re-authentication ----

  let me = null;            // the signed-in user, once loaded
  let passkeyCount = null;  // how many passkeys the user has, once asked

  async function hasPasskeys() {
    if (passkeyCount === null) {
      try {
        passkeyCount = (await call('GET', 'v1/me/passkeys', undefined, { reauth: false })).items.length;
      } catch (err) {
        passkeyCount = 0;
      }
    }
    return passkeyCount > 0;
  }

  // reauthenticate asks for the password (and second factor) or a passkey, and opens the
  // session's re-authentication window; it rejects with Cancelled when the person gives up.
  async function reauthenticate() {
    const dlg = $('#reauth');
    const form = $('#reauth-form');
    if (!dlg) throw new Problem(403, { detail: msg('error') });
    const passkeys = await hasPasskeys();
    return new Promise((resolve, reject) => {
      form.reset();
      clearErrors(form);
      $('#reauth-code-field').hidden = !(me && me.mfa_enabled);
      $('#reauth-passkey').hidden = !passkeys;
      const done = (success) => {
        form.onsubmit = null;
        $('#reauth-passkey').onclick = null;
        $('#reauth-cancel').onclick = null;
        dlg.oncancel = null;
        dlg.close();
        if (success) resolve(); else reject(new Cancelled());
      };
      form.onsubmit = async (ev) => {
        ev.preventDefault();
        clearErrors(form);
        const body = { password: form.elements.password.value };
        const code = form.elements.code.value.trim();
        if (!$('#reauth-code-field').hidden && code) body.code = code;
        try {
          await busy($('button[type=submit]', form), () => call('POST', 'v1/auth/reauthenticate', body, { reauth: false }));
          done(true);
        } catch (err) {
          showError(form, err);
        }
      };
      $('#reauth-passkey').onclick = async () => {
        clearErrors(form);
        try {
          const proof = await assertion();
          await call('POST', 'v1/auth/reauthenticate', proof, { reauth: false });
          done(true);
        } catch (err) {
          showError(form, err);
        }
      };
      $('#reauth-cancel').onclick = () => done(false);
      dlg.oncancel = (ev) => { ev.preventDefault(); done(false); };
      dlg.showModal();
      $('#reauth-password').focus();
    });
  }

  // ---- Pages ----

  const formatDate = (s) => {
    if (!s) return '';
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(s));
    } catch (e) {
      return s;
    }
  };

  // dropCode takes a spent code (and the address with it) out of the address bar and the
  // history entry: a URL is easily shared, synced or read over a shoulder.
  function dropCode() {
    const q = new URLSearchParams(location.search);
    q.delete('code');
    q.delete('email');
    const s = q.toString();
    history.replaceState(null, '', location.pathname + (s ? `?${s}` : ''));
  }

  // spend uses a mailed code with fn; a code refused as spent, expired or unknown still
  // shows the page's way on (its .after links), as a used one does.
  async function spend(fn) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Problem && err.code === 'invalid_code') for (const a of $$('.after')) a.hidden = false;
      throw err;
    }
  }

  function codeFromLink(form) {
    const code = params.get('code');
    if (!code) {
      box(form).alert.textContent = msg('no_code');
      $('button[type=submit]', form).disabled = true;
    }
    return code;
  }

  const init = {
    'sign-in': async () => {
      const note = params.get('msg');
      if (['signed_out', 'session_ended', 'reset_done', 'delete_done'].includes(note)) say(msg(note));
      if (token.get()) {
        try {
          await call('GET', 'v1/auth/session');
          location.replace(link(PAGES.includes(params.get('next')) ? params.get('next') : 'profile'));
          return;
        } catch (err) {
          token.clear();
        }
      }
      let mfaToken = '';
      const mfa = (err) => {
        if (!(err instanceof Problem) || err.code !== 'mfa_required' || !err.body.mfa_token) throw err;
        mfaToken = err.body.mfa_token;
        $('#password-step').hidden = true;
        $('#other-ways').hidden = true;
        $('#mfa-step').hidden = false;
        $('#mfa-code').focus();
      };
      onSubmit($('#sign-in-form'), async (v) => {
        try {
          signedIn(await call('POST', 'v1/auth/login', { login: v.login.trim(), password: v.password }, { auth: false }));
        } catch (err) {
          mfa(err);
        }
      });
      onSubmit($('#mfa-form'), async (v) => {
        signedIn(await call('POST', 'v1/auth/mfa', { mfa_token: mfaToken, code: v.code.trim() }, { auth: false }));
      });
      onClick($('#passkey-sign-in'), $('#passkey-box'), async () => {
        const answer = await assertion();
        try {
          signedIn(await call('POST', 'v1/auth/passkey', answer, { auth: false }));
        } catch (err) {
          // No password was asked for: "login or password" would mislead.
          if (err instanceof Problem && err.code === 'invalid_credentials') throw new Problem(err.status, { detail: msg('passkey_refused') });
          throw err;
        }
      });
      let codeEmail = params.get('email') || '';
      const verifyForm = $('#email-code-verify-form');
      onSubmit($('#email-code-form'), async (v, form) => {
        codeEmail = v.email.trim();
        try {
          await call('POST', 'v1/auth/email/code',
            { email: codeEmail, confirmation_url: selfURL('sign-in', { email: codeEmail }) }, { auth: false });
        } catch (err) {
          if (unavailable(err)) throw new Problem(0, { detail: msg('unavailable') });
          throw err;
        }
        ok(form, msg('code_sent'));
        verifyForm.hidden = false;
        $('#email-code').focus();
      });
      onSubmit(verifyForm, async (v) => {
        // A mailed link may carry the code without the address: the email field then says it.
        codeEmail = codeEmail || $('#code-email').value.trim();
        try {
          signedIn(await call('POST', 'v1/auth/email/code/verify', { email: codeEmail, code: v.code.trim() }, { auth: false }));
        } catch (err) {
          if (err instanceof Problem && err.code === 'mfa_required') dropCode(); // the code is spent
          mfa(err);
        }
      });
      // A mailed sign-in link fills the form; the person still presses the button, so a
      // mail scanner that opens the link signs nobody in.
      if (params.get('code')) {
        $('#code-email').value = codeEmail;
        $('#email-code').value = params.get('code');
        verifyForm.hidden = false;
      }
    },

    'sign-up': async () => {
      onSubmit($('#sign-up-form'), async (v) => {
        const body = { email: v.email.trim(), password: v.password, language: lang, confirmation_url: selfURL('verify') };
        if (v.first_name.trim()) body.first_name = v.first_name.trim();
        if (v.last_name.trim()) body.last_name = v.last_name.trim();
        signedIn(await call('POST', 'v1/auth/register', body, { auth: false }), { welcome: '1' });
      });
    },

    'forgot-password': async () => {
      onSubmit($('#forgot-form'), async (v, form) => {
        await call('POST', 'v1/auth/password/forgot', { email: v.email.trim(), confirmation_url: selfURL('reset') }, { auth: false });
        ok(form, msg('forgot_sent'));
      });
    },

    reset: async () => {
      const form = $('#reset-form');
      const code = codeFromLink(form);
      onSubmit(form, async (v) => {
        if (v.new_password !== v.confirm_password) {
          fieldError(form, 'confirm_password', msg('mismatch')).focus();
          return;
        }
        await spend(() => call('POST', 'v1/auth/password/reset', { code, new_password: v.new_password }, { auth: false }));
        dropCode();
        token.clear();
        finish(form, msg('reset_done'));
      });
    },

    verify: async () => {
      const form = $('#verify-form');
      const code = codeFromLink(form);
      onSubmit(form, async () => {
        // The token, when there is one, keeps this session alive through an address change.
        await spend(() => call('POST', 'v1/auth/email/confirm', { code }));
        dropCode();
        finish(form, msg('verify_done'));
      });
    },

    revert: async () => {
      const form = $('#revert-form');
      const code = codeFromLink(form);
      onSubmit(form, async () => {
        await spend(() => call('POST', 'v1/auth/email/revert', { code }, { auth: false }));
        dropCode();
        token.clear();
        finish(form, msg('revert_done'));
      });
    },

    profile: async () => {
      const show = (u) => {
        me = u;
        $('#me-email').textContent = u.email;
        $('#me-verified').textContent = u.email_verified ? msg('verified') : msg('unverified');
        $('#me-pending').hidden = !u.pending_email;
        $('#me-pending').textContent = u.pending_email ? msg('pending', u.pending_email) : '';
        $('#resend-box').hidden = u.email_verified && !u.pending_email;
        $('#first_name').value = u.first_name || '';
        $('#last_name').value = u.last_name || '';
        const img = $('#avatar');
        img.hidden = !u.avatar_url;
        if (u.avatar_url) img.src = u.avatar_url; else img.removeAttribute('src');
        $('#avatar-none').textContent = u.avatar_url ? '' : msg('avatar_none');
        $('#avatar-remove').hidden = !u.avatar_url;
      };
      show(me);
      if (params.get('welcome')) say(msg('welcome'));
      onClick($('#resend'), $('#resend-box'), async () => {
        await call('POST', 'v1/auth/email/verification', { confirmation_url: selfURL('verify') });
        ok($('#resend-box'), msg('resent'));
      });
      onSubmit($('#names-form'), async (v, form) => {
        show(await call('PATCH', 'v1/me', { first_name: v.first_name.trim(), last_name: v.last_name.trim() }));
        ok(form, msg('saved'));
      });
      onSubmit($('#language-form'), async (v) => {
        const u = await call('PUT', 'v1/me/language', { language: v.language });
        location.assign(`profile?${new URLSearchParams({ lang: LANGS.includes(u.language) ? u.language : lang })}`);
      });
      onSubmit($('#avatar-form'), async (v, form) => {
        const fd = new FormData();
        fd.append('image', $('#image').files[0]);
        await call('PUT', 'v1/me/avatar', fd);
        show(await call('GET', 'v1/me'));
        form.reset();
        ok(form, msg('saved'));
      });
      onClick($('#avatar-remove'), $('#avatar-form'), async () => {
        await call('DELETE', 'v1/me/avatar');
        show(await call('GET', 'v1/me'));
        ok($('#avatar-form'), msg('saved'));
      });
      onClick($('#export'), $('#export-box'), async () => {
        const resp = await call('GET', 'v1/me/export', undefined, { raw: true });
        const blob = await resp.blob();
        const m = /filename="([^"]+)"/.exec(resp.headers.get('Content-Disposition') || '');
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = m ? m[1] : 'export.json';
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      });
    },

    security: async () => {
      const totpState = () => {
        $('#totp-state').textContent = me.mfa_enabled ? msg('totp_on') : msg('totp_off');
        $('#totp-start-box').hidden = me.mfa_enabled;
        $('#totp-disable-form').hidden = !me.mfa_enabled;
      };
      totpState();

      onSubmit($('#password-form'), async (v, form) => {
        if (v.new_password !== v.confirm_password) {
          fieldError(form, 'confirm_password', msg('mismatch')).focus();
          return;
        }
        await call('PUT', 'v1/me/password', v);
        form.reset();
        ok(form, msg('password_done'));
        await loadSessions();
      });

      onSubmit($('#email-form'), async (v, form) => {
        me = await call('PATCH', 'v1/me', { email: v.email.trim() });
        form.reset();
        ok(form, msg('email_done'));
      });

      onClick($('#totp-start'), $('#totp-start-box'), async () => {
        const e = await call('POST', 'v1/me/mfa/totp', {});
        // The QR code is drawn by the pages' own function from the otpauth URL, sent in a
        // POST body so the secret is in no URL or log.
        const qr = await call('POST', '', { otpauth_url: e.otpauth_url }, { url: 'qr', raw: true, auth: false });
        $('#totp-qr').src = URL.createObjectURL(await qr.blob());
        $('#totp-secret').textContent = e.secret;
        $('#totp-start-box').hidden = true;
        $('#totp-confirm-form').hidden = false;
        $('#totp-code').focus();
      });

      onSubmit($('#totp-confirm-form'), async (v, form) => {
        const r = await call('POST', 'v1/me/mfa/totp/confirm', { code: v.code.trim() });
        const list = $('#recovery-codes');
        list.replaceChildren(...r.recovery_codes.map((c) => {
          const li = document.createElement('li');
          li.textContent = c;
          return li;
        }));
        form.hidden = true;
        form.reset();
        // The secret is in force now: it stays on the authenticator, not on the page.
        URL.revokeObjectURL($('#totp-qr').src);
        $('#totp-qr').removeAttribute('src');
        $('#totp-secret').textContent = '';
        $('#totp-recovery').hidden = false;
        $('#recovery-title').focus();
        me.mfa_enabled = true;
        $('#totp-state').textContent = msg('totp_on');
      });

      $('#totp-recovery-done').addEventListener('click', async () => {
        $('#recovery-codes').replaceChildren();
        $('#totp-recovery').hidden = true;
        totpState();
        $('#totp-title').focus();
        await loadSessions();
      });

      onSubmit($('#totp-disable-form'), async (v, form) => {
        await call('DELETE', 'v1/me/mfa/totp', { password: v.password, code: v.code.trim() });
        form.reset();
        me.mfa_enabled = false;
        totpState();
        ok($('#totp-start-box'), msg('totp_disabled'));
        $('#totp-title').focus(); // the form that had the focus is hidden
      });

      // Passkeys: the routes may be missing on an older server; the section says so.
      const loadPasskeys = async () => {
        let list;
        try {
          list = await call('GET', 'v1/me/passkeys');
        } catch (err) {
          if (!unavailable(err)) throw err;
          $('#passkey-form').hidden = true;
          const li = document.createElement('li');
          li.textContent = msg('unavailable');
          $('#passkey-list').replaceChildren(li);
          return;
        }
        passkeyCount = list.items.length;
        const ul = $('#passkey-list');
        if (!list.items.length) {
          const li = document.createElement('li');
          li.textContent = msg('passkeys_none');
          ul.replaceChildren(li);
          return;
        }
        ul.replaceChildren(...list.items.map((pk) => {
          const li = document.createElement('li');
          const text = document.createElement('span');
          const name = document.createElement('strong');
          name.textContent = pk.name || msg('passkey_default');
          const meta = document.createElement('span');
          meta.className = 'meta';
          meta.textContent = [msg('passkey_created', formatDate(pk.created_at)),
            pk.last_used_at ? msg('passkey_used', formatDate(pk.last_used_at)) : ''].filter(Boolean).join(' · ');
          text.append(name, meta);
          const rm = document.createElement('button');
          rm.type = 'button';
          rm.className = 'secondary';
          rm.textContent = msg('remove');
          rm.setAttribute('aria-label', `${msg('remove')}: ${name.textContent}`);
          onClick(rm, $('#passkey-form'), async () => {
            await call('DELETE', `v1/me/passkeys/${encodeURIComponent(pk.id)}`);
            ok($('#passkey-form'), msg('passkey_removed'));
            await loadPasskeys();
            $('#passkeys-title').focus(); // the button that had the focus is gone
          });
          li.append(text, rm);
          return li;
        }));
      };

      onSubmit($('#passkey-form'), async (v, form) => {
        needPasskeys();
        const opts = await call('POST', 'v1/me/passkeys/options', {});
        let cred;
        try {
          cred = await navigator.credentials.create({ publicKey: creationOptions(opts.options) });
        } catch (e) {
          throw new Problem(0, { detail: msg('passkey_cancelled') });
        }
        await call('POST', 'v1/me/passkeys', {
          challenge_id: opts.challenge_id, name: v.name.trim() || msg('passkey_default'), credential: credentialJSON(cred),
        });
        form.reset();
        ok(form, msg('passkey_added'));
        await Promise.all([loadPasskeys(), loadSessions()]);
      });

      const loadSessions = async () => {
        const list = await call('GET', 'v1/me/sessions?per_page=100');
        $('#session-list').replaceChildren(...list.items.map((s) => {
          const li = document.createElement('li');
          li.dataset.current = String(Boolean(s.current));
          const text = document.createElement('span');
          const name = document.createElement('strong');
          name.textContent = s.current ? msg('session_current') : (s.user_agent || msg('session_unknown'));
          const meta = document.createElement('span');
          meta.className = 'meta';
          meta.textContent = msg('session_detail', formatDate(s.created_at), s.ip || '?', formatDate(s.last_seen_at));
          text.append(name, meta);
          const end = document.createElement('button');
          end.type = 'button';
          end.className = 'secondary';
          end.textContent = msg('session_end');
          end.setAttribute('aria-label', `${msg('session_end')}: ${name.textContent}`);
          onClick(end, $('#sessions-box'), async () => {
            if (s.current) return signOut(false);
            await call('DELETE', `v1/me/sessions/${encodeURIComponent(s.id)}`);
            ok($('#sessions-box'), msg('session_revoked'));
            await loadSessions();
            $('#sessions-title').focus(); // the button that had the focus is gone
          });
          li.append(text, end);
          return li;
        }));
      };

      onClick($('#sign-out-all'), $('#sessions-box'), () => signOut(true));
      await Promise.all([loadPasskeys(), loadSessions()]);
    },

    delete: async () => {
      const form = $('#delete-form');
      onSubmit(form, async (v) => {
        if (!v.confirm) {
          fieldError(form, 'confirm', msg('confirm_box')).focus();
          return;
        }
        await call('DELETE', 'v1/me', { password: v.password });
        token.clear();
        // Signed out with the account: the signed-in menu must not stay on the screen.
        location.replace(link('sign-in', { msg: 'delete_done' }));
      });
    },
  };

  // A signed-in page loads the user first: without a session it goes to sign-in, and in
  // another of the pages' languages than the user's it reloads in the user's.
  async function start() {
    if (signedInPage) {
      if (!token.get()) return goSignIn();
      me = await call('GET', 'v1/me');
      if (LANGS.includes(me.language) && me.language !== lang) {
        const u = new URL(location.href);
        u.searchParams.set('lang', me.language);
        location.replace(u.href);
        return;
      }
      $('#sign-out').addEventListener('click', () => signOut(false));
      // The language menu changes the user's language, which the pages follow.
      for (const a of $$('.langs a[data-lang]')) {
        a.addEventListener('click', async (ev) => {
          ev.preventDefault();
          try {
            await call('PUT', 'v1/me/language', { language: a.dataset.lang });
            location.assign(a.href);
          } catch (err) {
            if (!(err instanceof Cancelled)) say(err.message);
          }
        });
      }
    }
    const content = $('#content');
    await (init[page] || (async () => {}))();
    if (content) {
      $('#loading').hidden = true;
      content.hidden = false;
    }
    document.body.dataset.ready = 'true';
  }

  start().catch((err) => {
    if (err instanceof Cancelled) return;
    say(err.message || msg('error'));
    document.body.dataset.ready = 'error';
  });
})();
