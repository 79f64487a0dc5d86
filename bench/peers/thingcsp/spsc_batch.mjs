// spsc_batch in @thi.ng/csp: it has no batch read or write, so its side is the one-at-a-time loop,
// as the promise channel's is: spsc_buffered's code at spsc_batch's size.
export { make } from "./spsc_buffered.mjs";
