/**
 * Makes host-derived text safe to print on a terminal: control characters (an ESC from a crafted
 * config line could recolour or rewrite the screen) and bidi overrides are shown as `\xNN`/`\uNNNN`
 * instead of being sent.
 * Newlines are kept only when `multiline` is set; a tab becomes a space.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const controlsButNewline = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const controls = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g

export function terminalText(text: string, multiline = false): string {
  return text.replace(multiline ? controlsButNewline : controls, (char) => {
    if (char === '\t') return ' '
    const code = char.charCodeAt(0)
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`
  })
}

/** Terminal columns a plain (colour-free) string takes; wide characters are rare enough in reports to count as one. */
export function visibleLength(text: string): number {
  return [...text].length
}
