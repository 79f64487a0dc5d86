// fanin8: 8 producer goroutines send into one unbuffered channel, one consumer receives;
// per message (Go's fan-in pattern with `make(chan int)`). An iteration resolves to the sum.
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "fanin8";
export const unit = "ns/op";
export const per = "message";
export const batch = 10_000;
export const capacity = 0;
export const target = { ratio: 0.8 };
export const peers = CHANNEL_PEERS;
export const checksum = ({ batch: N }) => (N * (N - 1)) / 2;

export function make({ chan, go }) {
  const N = batch, P = 8, each = N / P;
  async function producer(c, base) {
    for (let i = 0; i < each; i++) await c.send(base + i);
  }
  async function consumer(c, done) {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await c.recv();
    await done.send(sum);
  }
  return async function fanin8() {
    const c = chan(capacity), done = chan(1);
    for (let p = 0; p < P; p++) go(producer, c, p * each);
    go(consumer, c, done);
    return done.recv();
  };
}
