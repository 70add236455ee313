import { expect } from 'vitest';
import { isKiinniError, type ErrorCode } from '../core/errors.js';

/** Asserts that `err` is a KiinniError of `code` whose message matches `message`. */
export function expectKiinniError(err: unknown, expected: { code: ErrorCode; message?: RegExp }): void {
  expect(isKiinniError(err), `expected a KiinniError, got ${String(err)}`).toBe(true);
  if (!isKiinniError(err)) return;
  expect(err.code).toBe(expected.code);
  if (expected.message) expect(err.message).toMatch(expected.message);
}

/** Runs `fn` and returns what it threw (fails if it did not throw). */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, none was thrown');
}
