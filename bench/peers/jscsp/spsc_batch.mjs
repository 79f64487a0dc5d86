// spsc_batch in js-csp: it has no batch operations (its `onto`/`into` helpers are the same
// put/take loop), so its side is that loop, as the promise channel's is: spsc_buffered's code at
// spsc_batch's size.
export { make } from "./spsc_buffered.mjs";
