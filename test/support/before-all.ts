/**
 * A suite set-up whose failure is seen. uvu 0.5.6 runs `test.before` hooks inside a try whose
 * `finally` ends in `return`, so an error thrown there vanishes: the suite prints "(0 / N)", no
 * message, and the file exits 0. `beforeAll(test, setUp)` is a drop-in for `test.before(setUp)`
 * that keeps the error and throws it again from `test.before.each`, so every test of the suite fails
 * with the real reason. The tests' bodies do not run; the suite's `test.after` hooks still do.
 */
import type { Callback, Test } from 'uvu';

/**
 * Register before any `test.before.each` of the same suite: a failed set-up then stops those too.
 * Set-ups registered with several calls all run, even after one failed; tests fail with the first error.
 */
export function beforeAll<T>(test: Test<T>, setUp: Callback<T>): void {
  let failure: Error | undefined;
  test.before(async (context) => {
    try {
      await setUp(context);
    } catch (error) {
      failure = asError(error);
    }
  });
  test.before.each(() => {
    if (failure) throw failure;
  });
}

/** uvu formats a failure by reading `err.name` and `err.stack`; anything else crashes its reporter. */
function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(`suite set-up threw a non-Error value: ${String(thrown)}`);
}
