/**
 * @module
 * The HTML report: one file that works offline and from an archive. Inline CSS and script only,
 * no URL of any kind, and a Content-Security-Policy that allows nothing else, so opening a report
 * never makes a request. Every value is escaped by `safeHtml`; the script reads the page, never
 * report data, so host text cannot reach it.
 */
import { createHash } from 'node:crypto'
import { type CheckGroup, checkGroups } from '../checks/define-check.ts'
import { type Status, statuses } from '../checks/result.ts'
import type { Assessment, CheckResult } from '../engine/assessment.ts'
import { bySeverity } from '../engine/risk.ts'
import { hostLabel } from './host-label.ts'
import type { Renderer } from './renderer.ts'
import { joinHtml, SafeHtml, safeHtml } from './safe-html.ts'
import { targetLabel } from './target-label.ts'
import { verdict } from './verdict.ts'

/** The Preupgrade Assistant UI hides only notapplicable by default. */
const hiddenByDefault: readonly Status[] = ['notapplicable']
/** Results opened on load: the ones an administrator has to read. */
const openByDefault: readonly Status[] = ['error', 'fail', 'needs_action', 'needs_inspection']

const style = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d2330;--muted:#5b6475;--line:#d8dce3;--card:#f6f7f9;
--error:#8e1b1b;--fail:#b3261e;--needs_action:#c2410c;--needs_inspection:#a16207;--fixed:#15803d;
--informational:#1d4ed8;--notapplicable:#6b7280;--pass:#15803d}
@media (prefers-color-scheme:dark){:root{--bg:#15181e;--fg:#e6e8ec;--muted:#9aa3b2;--line:#303643;--card:#1d212a;
--error:#f87171;--fail:#f87171;--needs_action:#fb923c;--needs_inspection:#facc15;--fixed:#4ade80;
--informational:#60a5fa;--notapplicable:#9ca3af;--pass:#4ade80}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:1.5rem;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
h3{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:.9rem 0 .3rem}
code,pre{font:13px/1.45 ui-monospace,"DejaVu Sans Mono",monospace}
pre{white-space:pre-wrap;margin:0;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem}
.verdict{font-weight:600;padding:.6rem .9rem;border-radius:6px;border-left:5px solid;background:var(--card)}
.exit-0{border-color:var(--pass)}.exit-1{border-color:var(--needs_action)}.exit-2{border-color:var(--fail)}
dl.identity{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1.2rem;margin:1rem 0}
dl.identity dt{color:var(--muted)}dl.identity dd{margin:0}
.controls{position:sticky;top:0;background:var(--bg);padding:.6rem 0;border-bottom:1px solid var(--line);
display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;z-index:1}
.controls label{display:inline-flex;gap:.3rem;align-items:center;cursor:pointer;white-space:nowrap}
.controls input[type=search]{flex:1 1 14rem;padding:.35rem .6rem;border:1px solid var(--line);border-radius:6px;
background:var(--bg);color:var(--fg);font:inherit}
#shown{color:var(--muted);font-size:.9rem}
.badge{display:inline-block;min-width:8.5rem;text-align:center;padding:.05rem .5rem;border-radius:999px;
font-size:.8rem;font-weight:600;color:#fff;background:var(--s)}
.controls .badge{min-width:0}
.count{font-variant-numeric:tabular-nums;color:var(--muted)}
${statuses.map((s) => `.status-${s}{--s:var(--${s})}`).join('')}
.result{border:1px solid var(--line);border-left:5px solid var(--s);border-radius:6px;margin:.5rem 0;background:var(--card)}
.result[hidden]{display:none}
.result summary{cursor:pointer;padding:.5rem .75rem;display:flex;flex-wrap:wrap;gap:.3rem .75rem;align-items:baseline;list-style:none}
.result summary::-webkit-details-marker{display:none}
.result summary::before{content:"\\25B8";color:var(--muted);width:.8rem}
.result details[open]>summary::before{content:"\\25BE"}
.result .title{font-weight:600;flex:1 1 20rem}
.result .id,.result .group{color:var(--muted);font-size:.85rem}
.result .body{padding:0 .9rem .8rem;border-top:1px solid var(--line)}
.result .body p{margin:.5rem 0}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{margin:.2rem 0}
ul.risks li{display:grid;grid-template-columns:5.5rem 1fr;gap:.5rem}
.level{display:inline-block;min-width:5.2rem;font-size:.75rem;font-weight:700;letter-spacing:.04em}
.level-extreme{color:var(--fail)}.level-high{color:var(--needs_action)}.level-medium{color:var(--needs_inspection)}
.level-slight{color:var(--muted)}
.error-text{color:var(--error);font-weight:600}
.where{color:var(--muted)}
.ms{color:var(--muted);font-size:.8rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
#none{color:var(--muted);display:none}
@media print{.controls{display:none}.result[hidden]{display:block}}
`

// Filters and search only toggle `hidden` on what the server rendered; it never builds markup.
const script = `
(() => {
  const boxes = [...document.querySelectorAll('input[data-status]')]
  const search = document.getElementById('search')
  const results = [...document.querySelectorAll('article.result')]
  const shown = document.getElementById('shown')
  const none = document.getElementById('none')
  const apply = () => {
    const wanted = new Set(boxes.filter((box) => box.checked).map((box) => box.dataset.status))
    const query = search.value.trim().toLowerCase()
    let count = 0
    for (const result of results) {
      const visible = wanted.has(result.dataset.status) && (query === '' || result.textContent.toLowerCase().includes(query))
      result.hidden = !visible
      if (visible) count++
    }
    shown.textContent = count + ' of ' + results.length + ' shown'
    none.style.display = count === 0 ? 'block' : 'none'
  }
  for (const box of boxes) box.addEventListener('change', apply)
  search.addEventListener('input', apply)
  apply()
})()
`

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
const contentSecurityPolicy = [
  "default-src 'none'",
  `style-src ${sha256(style)}`,
  `script-src ${sha256(script)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`
}

function where(file?: string, line?: number): SafeHtml {
  if (file === undefined) return safeHtml``
  return safeHtml` <code class="where">${line === undefined ? file : `${file}:${line}`}</code>`
}

function resultBody(result: CheckResult): SafeHtml {
  const risks = result.risks.map(
    (risk) =>
      safeHtml`<li><span class="level level-${risk.level}">${risk.level.toUpperCase()}</span><span>${risk.message}${where(risk.file, risk.line)}</span></li>`,
  )
  const messages = result.messages.map((message) => safeHtml`<li>${message}</li>`)
  const warnings = result.warnings.map(
    (warning) => safeHtml`<li>${where(warning.file, warning.line)} ${warning.message}</li>`,
  )
  return safeHtml`<div class="body">
<p class="description">${result.description}</p>
${result.error !== undefined && safeHtml`<p class="error-text">Could not run: ${result.error}</p>`}
${risks.length > 0 && safeHtml`<h3>Risks</h3><ul class="plain risks">${risks}</ul>`}
${result.solution !== undefined && safeHtml`<h3>Solution</h3><pre class="solution">${result.solution}</pre>`}
${messages.length > 0 && safeHtml`<h3>Messages</h3><ul class="messages">${messages}</ul>`}
${warnings.length > 0 && safeHtml`<h3>Malformed lines in the files this check read</h3><ul class="plain warnings">${warnings}</ul>`}
<p class="ms">Check ${result.id} ran in ${formatMs(result.ms)}.</p>
</div>`
}

/** A group a newer preflight added (its report read back) shows as its id. */
function groupTitle(group: string): string {
  return Object.hasOwn(checkGroups, group) ? checkGroups[group as CheckGroup] : group
}

function resultArticle(result: CheckResult): SafeHtml {
  return safeHtml`<article class="result status-${result.status}" data-status="${result.status}" id="check-${result.id}">
<details${openByDefault.includes(result.status) ? safeHtml` open` : ''}>
<summary><span class="badge status-${result.status}">${result.status}</span><span class="title">${result.title}</span><code class="id">${result.id}</code><span class="group">${groupTitle(result.group)}</span></summary>
${resultBody(result)}
</details>
</article>`
}

function filters(assessment: Assessment): SafeHtml {
  const boxes = statuses.map(
    (status) =>
      safeHtml`<label><input type="checkbox" data-status="${status}"${hiddenByDefault.includes(status) ? '' : safeHtml` checked`}><span class="badge status-${status}">${status}</span><span class="count">${assessment.summary.counts[status]}</span></label>`,
  )
  return safeHtml`<section class="controls" aria-label="Filters">
${boxes}
<input type="search" id="search" placeholder="Search titles, ids, risks, messages" aria-label="Search">
<span id="shown" aria-live="polite"></span>
</section>`
}

function identity(assessment: Assessment): SafeHtml {
  const { host, target, timings, selection } = assessment
  const os = host.os
  const narrowed = [
    ...(selection.select.length > 0 ? [`--select ${selection.select.join(',')}`] : []),
    ...(selection.skip.length > 0 ? [`--skip ${selection.skip.join(',')}`] : []),
    ...(selection.strict ? ['--strict'] : []),
  ]
  const row = (label: string, value: SafeHtml | string) => safeHtml`<dt>${label}</dt><dd>${value}</dd>`
  return safeHtml`<dl class="identity">
${row('Host', host.hostname)}
${row('System', `${os.name}${os.version && !os.name.includes(os.version) ? ` ${os.version}` : ''} (${os.distro}, ${os.family} family)`)}
${row('Assessed', host.live ? 'this machine (/)' : safeHtml`offline root <code>${host.root}</code>`)}
${row('Target', targetLabel(target) ?? 'unknown: the assessed system could not be identified')}
${row('Checks', narrowed.length > 0 ? `${assessment.results.length}, narrowed by ${narrowed.join(' ')}` : `${assessment.results.length} (the whole catalogue)`)}
${row('Highest risk', assessment.summary.highestRisk ?? 'none')}
${row('Started', assessment.startedAt)}
${row('Took', `${formatMs(timings.totalMs)} (facts ${formatMs(timings.factsMs)}, checks ${formatMs(timings.checksMs)})`)}
${row('Run', `${assessment.runId}, preflight ${assessment.tool.version}, report schema ${assessment.schemaVersion}`)}
</dl>`
}

function factTable(assessment: Assessment): SafeHtml {
  const rows = assessment.timings.facts.map(
    (fact) =>
      safeHtml`<tr><td>${fact.title}</td><td><code>${fact.id}</code></td><td class="num">${formatMs(fact.ms)}</td><td>${fact.error === undefined ? 'gathered' : safeHtml`<span class="error-text">failed: ${fact.error}</span>`}</td></tr>`,
  )
  return safeHtml`<section><h2>Facts</h2><details><summary>${assessment.timings.facts.length} facts gathered in ${formatMs(assessment.timings.factsMs)}</summary>
<table><thead><tr><th>Fact</th><th>Id</th><th>Time</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table></details></section>`
}

export const html: Renderer = {
  fileName: 'report.html',
  render(assessment) {
    const results = bySeverity(assessment.results)
    const sentence = verdict(assessment.summary)
    return safeHtml`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>preflight: ${hostLabel(assessment.host)}</title>
<style>${new SafeHtml(style)}</style>
</head>
<body>
<header>
<h1>preflight report for ${hostLabel(assessment.host)}</h1>
<p class="verdict exit-${assessment.summary.exitCode}">${sentence}</p>
${identity(assessment)}
</header>
<h2>Results</h2>
${filters(assessment)}
<main id="results">
${joinHtml(results.map(resultArticle), '\n')}
<p id="none">No result matches the filters.</p>
</main>
${factTable(assessment)}
<footer>Written by preflight ${assessment.tool.version} at ${assessment.finishedAt}. This file is self-contained: it loads nothing and works offline.</footer>
<script>${new SafeHtml(script)}</script>
</body>
</html>
`.html
  },
}
