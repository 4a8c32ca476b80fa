/**
 * @module
 * The one map of renderers. Every renderer with a `fileName` is written into the latest directory
 * and the results archive; adding a format is one file and one line here.
 */
import { html } from './html.ts'
import { json } from './json.ts'
import type { Renderer } from './renderer.ts'
import { table } from './table.ts'

export const renderers = { table, json, html } as const satisfies Record<string, Renderer>
