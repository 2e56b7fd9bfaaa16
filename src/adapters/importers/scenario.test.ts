import { describe, expect, it } from 'vitest';
import { InvalidInput, type Issue } from '../../core/errors.js';
import { parseScenario } from './scenario.js';
import { decodeText } from './input-file.js';

function issuesOf(text: string): Issue[] {
  try {
    parseScenario(text, 's.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInput);
    return (e as InvalidInput).issues;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario files', () => {
  it('reads YAML with exact decimals, defaults filled in', () => {
    const s = parseScenario('resources:\n  - { name: a, kind: instance, pricePerHour: 0.123456789012345678901 }\n');
    expect(s.currency).toBe('USD');
    expect(s.period).toEqual({ years: 1 });
    const r = s.resources[0]!;
    expect(r.kind === 'instance' && r.pricePerHour!.toFixed()).toBe('0.123456789012345678901');
  });

  it('reads JSON too', () => {
    const s = parseScenario('{"currency":"EUR","resources":[{"name":"x","kind":"staff","yearlyCost":1}]}');
    expect(s.currency).toBe('EUR');
  });

  it('names file, line, field, expectation and what was found', () => {
    const issues = issuesOf('resources:\n  - name: a\n    kind: server\n    purchasePrice: -5\n');
    expect(issues).toEqual([expect.objectContaining({ file: 's.yaml', line: 4, path: 'resources[0].purchasePrice', message: 'expected a non-negative number, found -5' })]);
  });

  it('refuses an amount with more significant digits than Penny computes with, rather than rounding it', () => {
    const price = '1.0000000000000000000000000000000000000001'; // 41 significant digits
    const issues = issuesOf(`resources:\n  - name: a\n    kind: server\n    purchasePrice: ${price}\n`);
    expect(issues).toEqual([expect.objectContaining({ file: 's.yaml', line: 4, path: 'resources[0].purchasePrice', message: `expected at most 40 significant digits, found ${price} (41)` })]);
    // 40 digits, and large round numbers, are kept exactly.
    const forty = '1.000000000000000000000000000000000000001';
    const s = parseScenario(`resources:\n  - { name: a, kind: server, purchasePrice: ${forty} }\n  - { name: b, kind: server, purchasePrice: 1e45 }\n`);
    expect(s.resources.map((r) => r.kind === 'server' && r.purchasePrice!.toFixed())).toEqual([forty, `1${'0'.repeat(45)}`]);
  });

  it('reports text where a number goes', () => {
    const [i] = issuesOf('resources:\n  - name: a\n    kind: gpu\n    purchasePrice: 10\n    powerW: lots\n    idlePowerW: 1\n');
    expect(i).toMatchObject({ line: 5, path: 'resources[0].powerW', message: 'expected a non-negative number, found "lots"' });
  });

  it('reports a missing field at its parent', () => {
    const [i] = issuesOf('resources:\n  - kind: staff\n    name: s\n');
    expect(i).toMatchObject({ path: 'resources[0].yearlyCost', message: 'required field is missing', line: 2 });
  });

  it('reports unknown currency codes, kinds and fields, all at once', () => {
    const issues = issuesOf('currency: XYZ\nresources:\n  - { name: a, kind: rocket }\n  - { name: b, kind: staff, yearlyCost: 1, salary: 2 }\n');
    expect(issues.map((i) => i.path)).toEqual(['currency', 'resources[0].kind', 'resources[1].salary']);
    expect(issues[0]!.message).toMatch(/ISO 4217/);
    expect(issues[2]!.message).toMatch(/unknown field "salary"/);
  });

  it('refuses duplicate names, usage beyond the period, and power without an electricity price', () => {
    const issues = issuesOf(
      'period: { days: 1 }\nresources:\n  - { name: a, kind: server, purchasePrice: 1, powerW: 100, usage: { hours: 30 } }\n  - { name: a, kind: staff, yearlyCost: 1 }\n',
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['electricity', 'resources[0].usage', 'resources[1].name']);
  });

  it('refuses a YAML syntax error with its line', () => {
    const [i] = issuesOf('resources:\n  - name: "a\n');
    expect(i!.message).toMatch(/not valid YAML/);
    expect(i!.line).toBeGreaterThan(0);
  });

  it('refuses a top level that is not a mapping', () => {
    expect(issuesOf('- 1\n- 2\n')[0]!.message).toMatch(/mapping/);
  });

  it('refuses empty and binary input before parsing', () => {
    expect(() => decodeText(new Uint8Array(), 'e.yaml', 'scenario')).toThrow(/empty/);
    expect(() => decodeText(new Uint8Array([0x61, 0, 0x62]), 'b.yaml', 'scenario')).toThrow(/not a text file/);
    expect(() => decodeText(new Uint8Array([0xff, 0xfe, 0xfd]), 'b.yaml', 'scenario')).toThrow(/not UTF-8/);
  });
});
