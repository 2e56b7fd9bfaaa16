/** The dashboard's API types (web/src/api-types.gen.ts) are the routes' schemas as they are now. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypesFile, generateApiTypes } from '../scripts/gen-api-types.js';

describe('generated API types', () => {
  it('web/src/api-types.gen.ts matches the OpenAPI document the routes build', async () => {
    const fresh = await generateApiTypes();
    const committed = readFileSync(apiTypesFile, 'utf8');
    // A route's schema changed without regenerating: the dashboard would build against stale types.
    expect(committed === fresh, 'web/src/api-types.gen.ts is stale: run npm run gen:api-types and commit it').toBe(true);
    expect(fresh).toContain('"/api/runs/{id}"');
  });
});
