/**
 * @module
 * Reads a JSON report back (`--riskcheck`, the fleet server, `preflight fix`). A report is
 * trusted only after it matches this schema; one written by a newer major schema is refused with
 * a message saying so, because its fields may no longer mean what this version thinks.
 * Unknown fields are dropped: a newer minor version may add fields, never change existing ones.
 */
import { z } from 'zod'
import { riskLevels, statuses } from '../checks/result.ts'
import { type Assessment, reportSchemaVersion } from '../engine/assessment.ts'
import type { OsFamily } from '../facts/os-identity.ts'

const osFamilies = ['rhel', 'debian', 'suse', 'unknown'] as const satisfies readonly OsFamily[]

const risk = z.object({
  level: z.enum(riskLevels),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
})

const parseWarning = z.object({ file: z.string(), line: z.number().int(), message: z.string() })

const checkResult = z.object({
  id: z.string().min(1),
  title: z.string(),
  // Open: a newer preflight may add a group, and its reports must still read here (the fleet server).
  group: z.string().min(1),
  description: z.string(),
  status: z.enum(statuses),
  risks: z.array(risk),
  solution: z.string().optional(),
  messages: z.array(z.string()),
  warnings: z.array(parseWarning),
  error: z.string().optional(),
  ms: z.number().nonnegative(),
})

const osIdentity = z.object({
  distro: z.string(),
  family: z.enum(osFamilies),
  name: z.string(),
  version: z.string(),
  major: z.number().int().optional(),
  minor: z.number().int().optional(),
  variant: z.string().optional(),
  codename: z.string().optional(),
  source: z.string().optional(),
})

const target = z.object({
  distro: z.string(),
  major: z.number().int(),
  version: z.string(),
  codename: z.string().optional(),
})

const factTiming = z.object({
  id: z.string(),
  title: z.string(),
  ms: z.number().nonnegative(),
  error: z.string().optional(),
})

export const reportSchema = z.object({
  schemaVersion: z.literal(reportSchemaVersion),
  tool: z.object({ name: z.literal('preflight'), version: z.string() }),
  runId: z.string().regex(/^\d{12}$/, 'expected YYMMDDHHMMSS'),
  host: z.object({ hostname: z.string(), root: z.string(), live: z.boolean(), os: osIdentity }),
  target: target.optional(),
  selection: z.object({ select: z.array(z.string()), skip: z.array(z.string()), strict: z.boolean() }),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  timings: z.object({
    totalMs: z.number().nonnegative(),
    factsMs: z.number().nonnegative(),
    checksMs: z.number().nonnegative(),
    facts: z.array(factTiming),
  }),
  summary: z.object({
    counts: z.record(z.enum(statuses), z.number().int().nonnegative()),
    highestRisk: z.enum(riskLevels).optional(),
    exitCode: z.literal([0, 1, 2]),
  }),
  results: z.array(checkResult),
})

/** Why a report could not be read; `source` names the file (or 'report') in the message. */
export class ReportReadError extends Error {
  override readonly name = 'ReportReadError'
  constructor(
    readonly source: string,
    readonly reason: 'not-json' | 'invalid' | 'newer-schema',
    detail: string,
  ) {
    super(`${source}: ${detail}`)
  }
}

/** Parses and validates report.json text. Throws ReportReadError. */
export function parseReport(text: string, source = 'report'): Assessment {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ReportReadError(source, 'not-json', `not JSON (${(error as Error).message})`)
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof version === 'number' && Number.isInteger(version) && version > reportSchemaVersion) {
    throw new ReportReadError(
      source,
      'newer-schema',
      `written with report schema ${version}, but this preflight reads schema ${reportSchemaVersion}: upgrade preflight to read it`,
    )
  }
  const parsed = reportSchema.safeParse(value)
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`)
    const more = parsed.error.issues.length > 5 ? `; and ${parsed.error.issues.length - 5} more` : ''
    throw new ReportReadError(source, 'invalid', `not a preflight report: ${issues.join('; ')}${more}`)
  }
  return parsed.data
}
