import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { parseYaml } from './yaml-doc.js';

describe('parseYaml', () => {
  it('reports a repeated key at its second occurrence', () => {
    try {
      parseYaml('a: 1\nb:\n  c: 2\n  c: 3\n', 'f.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInput);
      expect((e as InvalidInput).issues[0]).toMatchObject({ file: 'f.yaml', line: 4 });
      expect((e as InvalidInput).issues[0]!.message).toMatch(/"c" is repeated/);
    }
  });

  it('checks keys in linear time: 20,000 distinct keys parse', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    expect(Object.keys(parseYaml(text, 'f').value as object)).toHaveLength(20_000);
  });

  it('refuses an alias bomb as bad input', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    expect(() => parseYaml(bomb, 'f')).toThrow(InvalidInput);
    expect(() => parseYaml(bomb, 'f')).toThrow(/alias/i);
  });

  it('keeps a few aliases working', () => {
    expect(parseYaml('a: &x 1\nb: *x\n', 'f').value).toEqual({ a: '1', b: '1' });
  });
});
