// baton (npm: batonjs): Go's concurrency model for JavaScript and TypeScript. This module is the
// only public door; everything else under src/ is internal (batonjs/testing, src/testing.ts, is
// the test-suite door).

export { chan, attach } from "./chan.js";
export type { Chan, SendChan, RecvChan, ChanHandle, ChanOptions, WaitOptions } from "./chan.js";
export { sharedMemory } from "./loader.js";
export { workers, registerTasks } from "./workers.js";
export type { WorkerPool, WorkersOptions, PoolGoroutineInfo } from "./workers.js";
import "./thread.js";
export { recv, send, select, trySelect } from "./select.js";
export type { RecvCase, SendCase, Case, SelectOptions } from "./select.js";
export { go, gosched, numGoroutine, setPanicHandler } from "./go.js";
export type { GoroutineInfo, CreationSites } from "./go.js";
export { goroutines, configure } from "./diag.js";
export type { BatonOptions } from "./diag.js";
export { WaitGroup, Mutex, RWMutex, Once, Cond, Semaphore, Group } from "./sync/index.js";
export type { Locker } from "./sync/index.js";
export { sleep, after, tick, newTimer, newTicker } from "./time.js";
export type { Timer, Ticker } from "./time.js";
export {
  background, withCancel, withTimeout, withDeadline, withValue, fromSignal, Canceled, DeadlineExceeded,
} from "./context.js";
export type { Context, CancelFunc } from "./context.js";
export { PanicError } from "./errors.js";
export { startTrace, stopTrace } from "./trace.js";
export type { TraceData, TraceEvent, TraceOptions } from "./trace.js";
