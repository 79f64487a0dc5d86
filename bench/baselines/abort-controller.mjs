// Baseline for context_cancel_1e4: a tree of AbortControllers, the Web platform's cancellation.
// A child is a new AbortController whose parent's signal has an 'abort' listener that aborts
// the child with the parent's reason: what one writes by hand to cascade cancellation (the
// same propagation baton's withCancel does through its parent's child set). A handle is the
// controller; cancel is abort(); a context has ended when its signal is aborted.
//
// Not AbortSignal.any([parent]): that gives a signal without its own abort(), so it could not
// be cancelled on its own as a withCancel child can.

export function ctxRoot() {
  return new AbortController();
}

export function ctxChild(parent) {
  const c = new AbortController();
  const ps = parent.signal;
  ps.addEventListener("abort", () => c.abort(ps.reason));
  return c;
}

export function ctxCancel(c) {
  c.abort();
}

export function ctxCanceled(c) {
  return c.signal.aborted;
}

export const name = "AbortController";
