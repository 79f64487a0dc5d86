// pingpong: unbuffered ping-pong between two goroutines, per round trip.
// A sends on c1, B receives it and sends it back on c2, A receives it: one round trip.
// Go: BenchmarkChanSync-like; 325 ns per round trip with Go 1.19, GOMAXPROCS=1 (FACTS.md).
// An iteration resolves to the sum of the values A received back (`checksum`; the child checks it).
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "pingpong";
export const unit = "ns/op";
export const per = "round trip";
export const batch = 10_000;
export const target = { ratio: 0.8 };
export const peers = CHANNEL_PEERS;
export const checksum = ({ batch: N }) => (N * (N - 1)) / 2;

export function make({ chan, go }) {
  const N = batch;
  async function a(c1, c2, done) {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      await c1.send(i);
      sum += await c2.recv();
    }
    await done.send(sum);
  }
  async function b(c1, c2) {
    for (let i = 0; i < N; i++) await c2.send(await c1.recv());
  }
  return async function pingpong() {
    const c1 = chan(), c2 = chan(), done = chan(1);
    go(a, c1, c2, done);
    go(b, c1, c2);
    return done.recv();
  };
}
