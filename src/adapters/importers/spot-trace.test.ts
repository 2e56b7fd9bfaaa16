import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { availabilityShare, availableAt } from '../../core/model/spot.js';
import { parseSpotTrace, readSpotTrace } from './spot-trace.js';
import { sharedFile } from '../../../test/shared-data.js';

describe('spot traces', () => {
  it('parses the SkyPilot format and measures availability', () => {
    const t = parseSpotTrace('{"metadata":{"gap_seconds":60},"data":[0,1,1,0]}', 'x.json');
    expect(t).toEqual({ name: 'x', gapS: 60, available: [0, 1, 1, 0] });
    expect(availabilityShare(t)).toBe(0.5);
    expect(availabilityShare(t, 30, 90)).toBe(0.5);
    expect(availableAt(t, 61)).toBe(true);
    expect(availableAt(t, 240 + 61)).toBe(true);
  });

  it('refuses what is not a trace, saying why', () => {
    expect(() => parseSpotTrace('{"data":[1]}', 'bad.json')).toThrow(InvalidInput);
    expect(() => parseSpotTrace('not json', 'bad.json')).toThrow(/not JSON/);
  });

  it('reads a real trace', async () => {
    const f = sharedFile('spot-traces/availability/1-node/aws-02-15-2023/us-east-2a_v100_1.json');
    if (!f) return;
    const t = await readSpotTrace(f);
    expect(t.gapS).toBeGreaterThan(0);
    const share = availabilityShare(t);
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(1);
  });
});
