import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from './text.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps', () => {
    expect(editDistance('ServiceName', 'ServiceName')).toBe(0);
    expect(editDistance('ServiceNam', 'ServiceName')).toBe(1);
    expect(editDistance('SreviceName', 'ServiceName')).toBe(1);
    expect(editDistance('RegionId', 'RegionName')).toBe(4);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('nearest', () => {
  const columns = ['ServiceName', 'ServiceCategory', 'RegionId', 'RegionName', 'x_GpuType'];
  it('prefers the same name in another case, then the closest', () => {
    expect(nearest('servicename', columns)).toBe('ServiceName');
    expect(nearest('ServiceNam', columns)).toBe('ServiceName');
    expect(nearest('RegoinId', columns)).toBe('RegionId');
    expect(nearest('x_GPUtype', columns)).toBe('x_GpuType');
  });
  it('suggests nothing when nothing is close', () => {
    expect(nearest('Team', columns)).toBeUndefined();
    expect(nearest('BillingAccountName', columns)).toBeUndefined();
  });
});
