import { backwardCompatible } from '../src';
import { base, compatible, incompatible } from './probe-schemas';

describe('backwardCompatible (local check, no registry)', () => {
  it('allows optional additions and refuses required ones and type changes', () => {
    expect(backwardCompatible(base, compatible)).toEqual({ compatible: true });
    expect(backwardCompatible(base, incompatible).compatible).toBe(false);
    const retyped = { ...base, fields: [base.fields[0], { name: 'value', type: 'string', doc: 'now text' }] };
    expect(backwardCompatible(base, retyped).compatible).toBe(false);
  });
});
