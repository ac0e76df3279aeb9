import { html, Html } from '../../src/pages/html';

describe('html', () => {
  it('escapes every interpolated string, number and array item, and keeps nested Html as is', () => {
    // Prepare
    const name = `<img src=x onerror="alert('1')">&\``;
    const inner = html`<b>${name}</b>`;

    // Act
    const out = html`<p title="${name}">${inner}${[name, 3]}${undefined}${false}</p>`;

    // Assess
    expect(out).toBeInstanceOf(Html);
    const escaped = '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;';
    expect(out.text).toBe(`<p title="${escaped}"><b>${escaped}</b>${escaped}3</p>`);
  });
});
