/** The dashboard's simulation form offers every policy the API accepts (a new rule was missing there once). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../src/core/sim/policies/index.js';
import { repoRoot } from './shared-data.js';

describe('dashboard simulation form', () => {
  it('lists every policy name the simulator knows, and no other', () => {
    const src = readFileSync(join(repoRoot, 'web', 'src', 'pages', 'simulations.ts'), 'utf8');
    const list = /const POLICIES = \[([^\]]*)\]/.exec(src);
    expect(list, 'the POLICIES list in web/src/pages/simulations.ts').not.toBeNull();
    const names = [...list![1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect([...names].sort()).toEqual([...POLICY_NAMES].sort());
  });
});
