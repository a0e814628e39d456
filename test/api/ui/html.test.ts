import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeHtml, Html, html, jsonData } from '../../../src/api/ui/html.ts';

test('every value put into a template is escaped: text, numbers, lists; Html is kept', () => {
  const hostile = `<script>alert("x")</script> & 'y'`;
  const out = html`<p title="${hostile}">${hostile} ${42} ${[hostile, html`<b>${'ok'}</b>`]}</p>`;
  assert.equal(
    out.text,
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">' +
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; 42 ' +
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;<b>ok</b></p>',
  );
  assert.equal(html`${null}${undefined}${false}`.text, '', 'nothing renders as nothing');
  assert.ok(out instanceof Html);
});

test('no text can open a tag or leave a quoted attribute (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      const out = html`<p title="${text}">${text}</p>`.text;
      const inner = out.slice('<p title="'.length, -'</p>'.length);
      assert.doesNotMatch(inner.replace('">', ''), /[<>"']/);
      assert.equal(
        escapeHtml(text).replace(/&(amp|lt|gt|quot|#39);/g, ''),
        text.replace(/[&<>"']/g, ''),
      );
    }),
  );
});

test('data for a script: parsed back exactly, and no text in it can close the block (property)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string(), (value, text) => {
      const data = { value, text: `${text}</script><script>alert(1)</script><!--` };
      const out = jsonData('d', data).text;
      const open = '<script type="application/json" id="d">';
      assert.ok(out.startsWith(open) && out.endsWith('</script>'));
      const body = out.slice(open.length, -'</script>'.length);
      assert.doesNotMatch(body, /</, 'no < at all inside the block');
      assert.deepEqual(JSON.parse(body), JSON.parse(JSON.stringify(data)));
    }),
  );
});
