// select4: one consumer selects over 4 unbuffered channels, each fed by its own producer;
// per message received. The cases are built once and reused (API.md: case objects are
// reusable). Go: 114 ns per message; the promise channel ~260 ns (FACTS.md).
// An iteration resolves to the sum of the values received, after checking that every case fired
// `batch / 4` times.
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "select4";
export const unit = "ns/op";
export const per = "message";
export const batch = 10_000;
export const capacity = 0;
export const target = { ratio: 1.0 };
export const peers = CHANNEL_PEERS;
export const checksum = ({ batch: N }) => (N * (N - 1)) / 2;

export function make({ chan, go, recv, select }) {
  const N = batch, K = 4, each = N / K;
  async function producer(c, base) {
    for (let i = 0; i < each; i++) await c.send(base + i);
  }
  async function consumer(cases, done) {
    let sum = 0;
    const seen = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      const k = await select(cases);
      sum += cases[k].value;
      seen[k]++;
    }
    for (let k = 0; k < K; k++) if (seen[k] !== each) throw new Error(`select4: case ${k} fired ${seen[k]} times, want ${each}`);
    await done.send(sum);
  }
  return async function select4() {
    const cs = [chan(capacity), chan(capacity), chan(capacity), chan(capacity)];
    const cases = cs.map((c) => recv(c));
    const done = chan(1);
    for (let k = 0; k < K; k++) go(producer, cs[k], k * each);
    go(consumer, cases, done);
    return done.recv();
  };
}
