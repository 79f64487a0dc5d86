// parked_goroutine_bytes in js-csp: not expressible. A js-csp channel holds at most
// MAX_QUEUE_SIZE (1024) pending takes; the 1025th process to take from it throws, so 10^5
// processes cannot park on one channel (test/bench/peers.test.ts checks that the limit holds).
export const notExpressible =
  "a js-csp channel allows at most 1024 pending takes (MAX_QUEUE_SIZE; the 1025th throws), so 10^5 processes cannot park on one channel";
