// The core's exports: everything the facade calls (src/loader.ts types each one). Nothing here
// runs at instantiation: the first threadNew() initialises the shared header once for every
// thread. One failure convention: channel and select operations return a result word (code in
// the low 4 bits, layout.ts RESULT); exports that return an address or a count return it, or a
// negative E_* code.

export { threadNew, bytesInUse, heapTop, heapCheck } from "./alloc";
export {
  chanNew, chanFree, chanDropNext, chanCancel, chanSend, chanRecv, chanSendN, chanRecvN, chanClose, chanCloseNext, chanLen,
  chanWaiters, liveChannels, shNew, shGen, shHold, shRelease, shPin, shHoldPinned, shHeldByOthers, shSend, shRecv,
} from "./chan";
export { seed, selReserve, selPoll, selCancel, selDeferred } from "./select";
export { inboxNext } from "./inbox";
export { valueAlloc, valueFree, recordBytes } from "./queue";
export { threadInit, threadDead, threadSweep, threadByOsid, threadChild, threadAlive } from "./thread";
export { chanCheck } from "./check";
export { wqNew, wqFree, wqPark, wqPeek, wqPeekArg, wqTake, wqCancel, wqLen } from "./waitq";
export { goNew, runqGet } from "./runq";

/** Replaces AssemblyScript's abort, which would need the managed runtime to read its message:
 *  a failed assertion traps, and the facade reports the trap. */
export function abortCore(msg: usize, file: usize, line: u32, col: u32): void {
  unreachable();
}
