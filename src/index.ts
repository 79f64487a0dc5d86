// baton: Go's concurrency model for JavaScript and TypeScript. This module is the only public
// door; everything else under src/ is internal.

export { chan } from "./chan.js";
export type { Chan, SendChan, RecvChan } from "./chan.js";
export { recv, send, select, trySelect } from "./select.js";
export type { RecvCase, SendCase, Case } from "./select.js";
export { go, gosched, numGoroutine, setPanicHandler } from "./go.js";
export type { GoroutineInfo } from "./go.js";
export { goroutines, configure } from "./diag.js";
export type { BatonOptions } from "./diag.js";
export { PanicError } from "./errors.js";
