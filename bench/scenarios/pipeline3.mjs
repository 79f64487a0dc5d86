// pipeline3: the three-stage pipeline of Go's "Pipelines and cancellation" post:
// gen -> (unbuffered) -> sq -> (unbuffered) -> sink; each stage a goroutine, each closes its
// output when its input is done; per message through all three stages. An iteration resolves to
// the sum of the doubled values.
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "pipeline3";
export const unit = "ns/op";
export const per = "message";
export const batch = 10_000;
export const capacity = 0;
export const target = { ratio: 0.8 };
export const peers = CHANNEL_PEERS;
export const checksum = ({ batch: N }) => N * (N - 1);

export function make({ chan, go }) {
  const N = batch;
  async function gen(out) {
    for (let i = 0; i < N; i++) await out.send(i);
    out.close();
  }
  async function sq(inp, out) {
    for (let v; (v = await inp.recv()) !== undefined; ) await out.send(v * 2);
    out.close();
  }
  async function sink(inp, done) {
    let sum = 0;
    for (let v; (v = await inp.recv()) !== undefined; ) sum += v;
    await done.send(sum);
  }
  return async function pipeline3() {
    const c1 = chan(capacity), c2 = chan(capacity), done = chan(1);
    go(gen, c1);
    go(sq, c1, c2);
    go(sink, c2, done);
    return done.recv();
  };
}
