import { describe, expect, it } from 'vitest';
import { html, joinHtml, unsafeRawHtml } from './html.js';

describe('escape-by-default HTML', () => {
  it('escapes interpolated text in text and attribute positions, keeps nested html as markup', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    const out = html`<a title="${name}" href="/s/${'a"b'}">${name}</a>${html`<b>${1}</b>`}`;
    expect(out.text).toBe('<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;" href="/s/a&quot;b">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</a><b>1</b>');
  });

  it('writes lists one after another, nothing for null, undefined and booleans', () => {
    expect(html`<ul>${['<i>', html`<li>ok</li>`]}</ul>${null}${undefined}${false}${true}`.text).toBe('<ul>&lt;i&gt;<li>ok</li></ul>');
    expect(joinHtml([html`<br>`, 'a<b'], ' & ').text).toBe('<br> &amp; a&lt;b');
  });

  it('lets raw markup in only through unsafeRawHtml', () => {
    expect(html`${unsafeRawHtml('<svg></svg>')}${'<svg></svg>'}`.text).toBe('<svg></svg>&lt;svg&gt;&lt;/svg&gt;');
  });
});
