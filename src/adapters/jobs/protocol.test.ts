import { describe, expect, it } from 'vitest';
import { Infeasible, InvalidInput } from '../../core/errors.js';
import { deserializeError, serializeError } from './protocol.js';

describe('errors across the thread boundary', () => {
  it('come back as the same typed errors, with issues, detail and hint', () => {
    const bad = deserializeError(structuredClone(serializeError(new InvalidInput('bad', [{ path: 'classes[0]', message: 'no', line: 3 }], 'fix it'))));
    expect(bad).toBeInstanceOf(InvalidInput);
    expect((bad as InvalidInput).issues).toEqual([{ path: 'classes[0]', message: 'no', line: 3 }]);
    expect((bad as InvalidInput).hint).toBe('fix it');
    const inf = deserializeError(structuredClone(serializeError(new Infeasible('cannot', ['period 3 short by 2 GPUs']))));
    expect(inf).toBeInstanceOf(Infeasible);
    expect((inf as Infeasible).detail).toEqual(['period 3 short by 2 GPUs']);
    const other = deserializeError(serializeError(new RangeError('boom')));
    expect(other.name).toBe('RangeError');
    expect(other.message).toBe('boom');
    expect(deserializeError(serializeError('a string')).message).toBe('a string');
  });
});
