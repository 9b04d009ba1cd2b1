/**
 * `headless-calling/embedded`: the backend for our own signaling server (issue 3).
 * Filled in by the embedded backend work.
 */
export {};
