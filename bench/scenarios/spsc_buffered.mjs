// spsc_buffered: a channel of capacity 1024, one producer, one consumer; per message.
// Go: 36 ns per message; the promise channel ~120 ns (FACTS.md).
import { makeSpsc } from "../lib/spsc.mjs";
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "spsc_buffered";
export const unit = "ns/op";
export const per = "message";
export const batch = 10_000;
export const capacity = 1024;
export const target = { ratio: 0.8 };
export const peers = CHANNEL_PEERS;
export const checksum = ({ batch: N }) => (N * (N - 1)) / 2;
export const make = makeSpsc(capacity, batch);
