// The baseline: a minimal promise channel, the one anyone would write in an afternoon.
//
// A channel is a JS array used as the buffer plus two arrays of parked waiters
// (senders with their values, receivers with their resolvers). Nothing is pooled, nothing is
// clever: `Array#push` / `Array#shift`, one promise per operation that has to wait, and the
// shared already-resolved promise for one that does not.
//
//   send(v)   resolves once a receiver has taken v (unbuffered) or v is in the buffer;
//             rejects on a closed channel.
//   recv()    the next value; undefined once the channel is closed and drained.
//   close()   wakes every waiting receiver (undefined) and rejects every waiting sender.
//
// select is the simplest correct one: poll the cases in a uniformly random order (a
// Fisher-Yates shuffle, so no ready case is starved); if none is ready, register a waiter on
// every channel; the first to fire wins and unregisters the rest (indexOf + splice).
//
// go(fn, ...args) is a bare async-function call: the "goroutine" is the returned promise.
//
// It exports the same names as baton (chan, recv, send, select, go) so that every scenario
// in bench/scenarios/ runs the very same code against both libraries.
//
// Invariants (between calls):
//   at least one of recvq and sendq is empty;
//   buf.length > 0 implies recvq is empty;
//   sendq is non-empty only when buf.length === cap;
//   a select's waiters are all queued or none is.

const RESOLVED = Promise.resolve();
const closedPanic = () => new Error("send on closed channel");

class Chan {
  constructor(cap = 0) {
    this.cap = cap;
    this.buf = [];
    this.recvq = []; // waiters: { res, sel, idx }
    this.sendq = []; // waiters: { value, res, rej, sel, idx }
    this.closed = false;
  }

  get len() {
    return this.buf.length;
  }

  // Completes a send at once if it can; true when done. Throws on a closed channel.
  _sendNow(v) {
    if (this.closed) throw closedPanic();
    const r = this.recvq.shift();
    if (r !== undefined) {
      fire(r, v, true);
      return true;
    }
    if (this.buf.length < this.cap) {
      this.buf.push(v);
      return true;
    }
    return false;
  }

  // Completes a receive at once if it can, into out.value / out.ok; true when done.
  _recvNow(out) {
    if (this.buf.length > 0) {
      out.value = this.buf.shift();
      out.ok = true;
      const s = this.sendq.shift();
      if (s !== undefined) {
        this.buf.push(s.value);
        fire(s, undefined, true);
      }
      return true;
    }
    const s = this.sendq.shift();
    if (s !== undefined) {
      out.value = s.value;
      out.ok = true;
      fire(s, undefined, true);
      return true;
    }
    if (this.closed) {
      out.value = undefined;
      out.ok = false;
      return true;
    }
    return false;
  }

  send(v) {
    try {
      if (this._sendNow(v)) return RESOLVED;
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((res, rej) => this.sendq.push({ value: v, res, rej, sel: null, idx: 0 }));
  }

  recv() {
    const out = { value: undefined, ok: false };
    if (this._recvNow(out)) return Promise.resolve(out.value);
    return new Promise((res) => this.recvq.push({ res, rej: null, sel: null, idx: 0 }));
  }

  close() {
    if (this.closed) throw new Error("close of closed channel");
    this.closed = true;
    for (const r of this.recvq.splice(0)) fire(r, undefined, false);
    for (const s of this.sendq.splice(0)) fail(s, closedPanic());
  }
}

// Wakes a parked waiter with (value, ok).
function fire(w, value, ok) {
  if (w.sel === null) return w.res(value);
  const sel = w.sel;
  unregister(sel, w);
  const c = sel.cases[w.idx];
  if (c.kind === RECV) {
    c.value = value;
    c.ok = ok;
  }
  sel.res(w.idx);
}

function fail(w, err) {
  if (w.sel === null) return w.rej(err);
  unregister(w.sel, w);
  w.sel.rej(err);
}

// Removes every waiter of sel except `winner` (already dequeued) from its channel.
function unregister(sel, winner) {
  for (const w of sel.waiters) {
    if (w === winner) continue;
    const c = sel.cases[w.idx];
    const q = c.kind === RECV ? c.ch.recvq : c.ch.sendq;
    const i = q.indexOf(w);
    if (i >= 0) q.splice(i, 1);
  }
}

const RECV = 0, SEND = 1;

export function chan(cap = 0) {
  return new Chan(cap);
}

export function recv(ch) {
  return { kind: RECV, ch, value: undefined, ok: false };
}

export function send(ch, value) {
  return { kind: SEND, ch, value };
}

let order = [];

export function select(cases) {
  const n = cases.length;
  if (order.length < n) order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = (Math.random() * (i + 1)) | 0;
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  try {
    for (let k = 0; k < n; k++) {
      const i = order[k], c = cases[i];
      if (c.ch === null) continue;
      if (c.kind === RECV ? c.ch._recvNow(c) : c.ch._sendNow(c.value)) return Promise.resolve(i);
    }
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((res, rej) => {
    const sel = { res, rej, cases, waiters: [] };
    for (let i = 0; i < n; i++) {
      const c = cases[i];
      if (c.ch === null) continue;
      if (c.kind === RECV) {
        const w = { res: null, rej: null, sel, idx: i };
        sel.waiters.push(w);
        c.ch.recvq.push(w);
      } else {
        const w = { value: c.value, res: null, rej: null, sel, idx: i };
        sel.waiters.push(w);
        c.ch.sendq.push(w);
      }
    }
  });
}

export function go(fn, ...args) {
  fn(...args);
}

export const name = "promise-chan";
