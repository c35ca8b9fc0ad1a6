import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';

/** The InputError fn throws (an assertion failure when it throws something else or nothing), after checking that its message mentions each fragment. */
export function inputError(fn: () => unknown, ...fragments: string[]): InputError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, InputError);
    for (const fragment of fragments) assert.ok((error as Error).message.includes(fragment), `"${(error as Error).message}" should mention "${fragment}"`);
    return error as InputError;
  }
  throw new assert.Assertion({ message: 'expected an InputError', operator: 'throws', expects: 'InputError', actual: 'nothing thrown' });
}
