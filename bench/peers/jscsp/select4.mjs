// select4 in js-csp: four producer processes, each putting on its own unbuffered channel; the
// consumer takes with `alts` over the four (js-csp's select: among the ready operations it
// picks one in a shuffled order, as Go does) and counts which channel each value came from.
import csp from "js-csp";

const { go, chan, put, alts, takeAsync } = csp;

export function make({ batch: N }) {
  const K = 4, each = N / K;
  function* producer(c, base) {
    for (let i = 0; i < each; i++) yield put(c, base + i);
  }
  function* consumer(cs) {
    let sum = 0;
    const seen = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      const r = yield alts(cs);
      sum += r.value;
      seen[cs.indexOf(r.channel)]++;
    }
    for (let k = 0; k < K; k++) if (seen[k] !== each) throw new Error(`select4 (js-csp): channel ${k} gave ${seen[k]} values, want ${each}`);
    return sum;
  }
  return function select4() {
    const cs = [chan(), chan(), chan(), chan()];
    for (let k = 0; k < K; k++) go(producer, [cs[k], k * each]);
    return new Promise((resolve) => takeAsync(go(consumer, [cs]), resolve));
  };
}
