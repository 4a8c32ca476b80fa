import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { escapeHtml, joinHtml, SafeHtml, safeHtml } from './safe-html.ts'

describe('escapeHtml', () => {
  test('escapes every character that can open markup or leave an attribute', () => {
    assert.equal(
      escapeHtml(`<img src=x onerror="alert('1')">&\``),
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;',
    )
  })

  test('leaves ordinary text, including non-ASCII, alone', () => {
    assert.equal(escapeHtml('Grüße, /etc/passwd:3 → ok'), 'Grüße, /etc/passwd:3 → ok')
  })
})

describe('safeHtml', () => {
  test('escapes interpolated strings and numbers but not the literal parts', () => {
    const user = '</td><script>x()</script>'
    assert.equal(
      safeHtml`<td class="a">${user}</td><td>${3}</td>`.html,
      '<td class="a">&lt;/td&gt;&lt;script&gt;x()&lt;/script&gt;</td><td>3</td>',
    )
  })

  test('nests SafeHtml and arrays without escaping twice; false, null and undefined render nothing', () => {
    const items = ['a&b', 'c'].map((x) => safeHtml`<li>${x}</li>`)
    assert.equal(
      safeHtml`<ul>${items}</ul>${false}${undefined}${null}`.html,
      '<ul><li>a&amp;b</li><li>c</li></ul>',
    )
    assert.equal(joinHtml(items, '\n').html, '<li>a&amp;b</li>\n<li>c</li>')
  })

  test('a quote in a value cannot break out of an attribute', () => {
    const id = 'x" onmouseover="alert(1)'
    assert.equal(safeHtml`<a id="${id}">`.html, '<a id="x&quot; onmouseover=&quot;alert(1)">')
  })

  test('only an explicit SafeHtml passes unescaped', () => {
    assert.equal(safeHtml`${new SafeHtml('<b>')}`.html, '<b>')
  })
})
