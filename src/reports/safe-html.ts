/**
 * @module
 * HTML built from template strings where every interpolated value is escaped unless it is already
 * SafeHtml. Host files end up in reports (user names, config lines, package names), so escaping is
 * the default and a forgotten call cannot inject markup.
 */

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => entities[char] ?? char)
}

/** Markup that is already escaped; constructing one directly vouches for the text (the report's own CSS and script). */
export class SafeHtml {
  constructor(readonly html: string) {}
}

type Interpolated = SafeHtml | string | number | boolean | undefined | null | readonly Interpolated[]

function fragment(value: Interpolated): string {
  if (value === undefined || value === null || value === false) return ''
  if (value instanceof SafeHtml) return value.html
  if (Array.isArray(value)) return value.map(fragment).join('')
  return escapeHtml(String(value))
}

/**
 * Tagged template: literal parts are trusted markup, every `${value}` is escaped (arrays are
 * concatenated, undefined/null/false render as nothing).
 * @example safeHtml`<td>${user.gecos}</td>`
 */
export function safeHtml(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, index) => {
    out += fragment(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(out)
}

export function joinHtml(parts: readonly SafeHtml[], separator = ''): SafeHtml {
  return new SafeHtml(parts.map((part) => part.html).join(separator))
}
