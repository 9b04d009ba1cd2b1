/**
 * `headless-calling/tencent`: the backend for Tencent IM + TRTC (issue 5).
 * Filled in by the tencent backend work.
 */
export {};
