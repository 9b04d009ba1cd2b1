/**
 * Errors. Every rejection of the public API is a `CallingError` with a numeric `code`
 * (the spec's table where it has one), a machine-readable `reason` and the `cause`.
 */

/** Codes used beyond the spec's media codes (60001-60006); from TUICallEngine's table. */
export const ERROR_CODE = {
  INVALID_PARAMETER: -1202,
  INVALID_STATE: -1203,
  UNKNOWN: 65535,
} as const;

export class CallingError extends Error {
  override name = 'CallingError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A method was called with parameters the spec does not allow. Nothing changed. */
export class InvalidParameterError extends CallingError {
  override name = 'InvalidParameterError';
  constructor(method: string, detail: string, options?: { cause?: unknown }) {
    super(ERROR_CODE.INVALID_PARAMETER, 'invalidParameter', `${method}: ${detail}`, options);
  }
}

/** A method was called in a state that does not allow it. Nothing changed. */
export class InvalidStateError extends CallingError {
  override name = 'InvalidStateError';
  constructor(method: string, detail: string) {
    super(ERROR_CODE.INVALID_STATE, 'invalidState', `${method}: ${detail}`);
  }
}
