// spsc_unbuffered: an unbuffered channel, one producer, one consumer; per message.
// No target: reported for its ratio only.
import { makeSpsc } from "../lib/spsc.mjs";
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "spsc_unbuffered";
export const unit = "ns/op";
export const per = "message";
export const batch = 10_000;
export const capacity = 0;
export const target = null;
export const peers = CHANNEL_PEERS;
export const checksum = ({ batch: N }) => (N * (N - 1)) / 2;
export const make = makeSpsc(capacity, batch);
