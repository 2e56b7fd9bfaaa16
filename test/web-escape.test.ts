/** The dashboard's escaping and CSV guards (pure functions of web/src, run in Node). */
import { describe, expect, it } from 'vitest';
import { html, trusted } from '../web/src/escape.js';
import { csvCell } from '../web/src/format.js';

describe('html tagged template', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const name = `"'><img src=x onerror=alert(1)>\`&`;
    expect(html`<td title="${name}">${name}</td>`.text).toBe('<td title="&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;&#96;&amp;">&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;&#96;&amp;</td>');
  });

  it('keeps nested templates and arrays of them as markup, and drops null, undefined and false', () => {
    const rows = ['a<b', 'c'].map((v) => html`<li>${v}</li>`);
    expect(html`<ul>${rows}${null}${undefined}${false}${0}</ul>`.text).toBe('<ul><li>a&lt;b</li><li>c</li>0</ul>');
  });

  it('escapes a plain string that looks like markup, even one built with a template literal', () => {
    const built = `<b>${'x'}</b>`;
    expect(html`<p>${built}</p>`.text).toBe('<p>&lt;b&gt;x&lt;/b&gt;</p>');
  });

  it('inserts markup unescaped only through the explicit trusted opt-in', () => {
    expect(html`<p>${trusted('<br>')}</p>`.text).toBe('<p><br></p>');
  });
});

describe('CSV cells', () => {
  it('puts an apostrophe before text a spreadsheet would read as a formula, and quotes it', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+1')).toBe(`"'+1+1"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\t=1')).toBe(`"'\t=1"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves plain numbers, negative ones included, and ordinary text as they are', () => {
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('2066.4122836132')).toBe('2066.4122836132');
    expect(csvCell('1e-5')).toBe('1e-5');
    expect(csvCell('research')).toBe('research');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });
});
