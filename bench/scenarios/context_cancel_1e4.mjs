// context_cancel_1e4: a tree of 10^4 cancellable contexts under one root: the root has 100
// children, each with 99 children (100 + 100 * 99 = 10,000). Build it, cancel the root, and
// check that every one of the 10,000 has ended (baton: err() === Canceled). Per context, build
// and cancel together.
// Baseline: the same tree of AbortControllers, each child aborting on its parent's 'abort'
// event; the root is aborted and every signal.aborted checked.

export const name = "context_cancel_1e4";
export const unit = "ns/op";
export const per = "context";
export const fanout = [100, 99];
export const batch = fanout[0] + fanout[0] * fanout[1];
export const baseline = "abort-controller";
export const target = null;

export function make({ ctxRoot, ctxChild, ctxCancel, ctxCanceled }) {
  const [A, B] = fanout, N = batch;
  const hs = new Array(N).fill(null);
  return async function contextCancel1e4() {
    const root = ctxRoot();
    let k = 0;
    for (let i = 0; i < A; i++) {
      const c = (hs[k++] = ctxChild(root));
      for (let j = 0; j < B; j++) hs[k++] = ctxChild(c);
    }
    ctxCancel(root);
    let ended = 0;
    for (let i = 0; i < N; i++) if (ctxCanceled(hs[i])) ended++;
    hs.fill(null);
    if (ended !== N) throw new Error(`context_cancel_1e4: ${ended} of ${N} contexts ended after the root's cancel`);
  };
}
