/**
 * @module
 * The dpkg side of the dependency check: the Depends and Pre-Depends of every installed package
 * in /var/lib/dpkg/status, resolved as dpkg and apt resolve them against the installed set
 * (`apt-get check` prints "The following packages have unmet dependencies"):
 * - a clause is satisfied when one of its `|` alternatives is;
 * - an alternative names a package or a virtual package (Provides); a versioned one needs a
 *   versioned provide (dpkg ≥ 1.17.11), an unversioned provide satisfies only unversioned ones;
 * - architectures (dpkg's deparchsatisfied): an unqualified name needs the depending package's
 *   architecture (arch: all counts as the native one) unless the target is Multi-Arch: foreign;
 *   `:any` needs a Multi-Arch: allowed target; `:native` and `:<arch>` name the architecture.
 */
import type { ParseWarning } from '../../../host/parse-error.ts'
import { type DpkgPackage, isInstalledState } from '../dpkg/dpkg-status.ts'
import { parseDeb822 } from '../dpkg/parse-deb822.ts'
import { dpkgVersionCompare } from './dpkg-version-compare.ts'
import type {
  CapabilityIndex,
  CapabilityRequest,
  DependentPackage,
  PackageRelation,
  VersionRelation,
} from './unsatisfied-relations.ts'

export interface DpkgDependentPackage extends DependentPackage {
  dpkg: DpkgPackage
}

/** dpkg's operators; bare `<` and `>` are the obsolete spellings of `<=` and `>=`. */
const operators = new Map<string, VersionRelation>([
  ['<<', '<'],
  ['<=', '<='],
  ['<', '<='],
  ['=', '='],
  ['>=', '>='],
  ['>', '>='],
  ['>>', '>'],
])

/** apt's names of the fields in its messages. */
const aptFieldNames: Record<string, string> = { Depends: 'Depends', 'Pre-Depends': 'PreDepends' }

const alternativePattern =
  /^([A-Za-z0-9][A-Za-z0-9+._-]*)(?::([A-Za-z0-9-]+))?\s*(?:\(\s*(<<|<=|>=|>>|=|<|>)\s*([^)\s]+)\s*\))?\s*(?:\[[^\]]*\]\s*)?(?:<[^>]*>\s*)*$/

interface ParsedAlternative {
  request: CapabilityRequest
  /** As written, spaces normalised: `libc6 (>= 2.36)`, `python3:any`. */
  text: string
}

/** One alternative of a relationship field; undefined when dpkg would not parse it either. */
function parseAlternative(text: string): ParsedAlternative | undefined {
  const match = alternativePattern.exec(text.trim())
  if (!match) return undefined
  const [, name = '', archQualifier, operator, version] = match
  const request: CapabilityRequest = { name }
  if (archQualifier) request.archQualifier = archQualifier
  let written = archQualifier ? `${name}:${archQualifier}` : name
  if (operator && version) {
    request.relation = operators.get(operator)
    request.version = version
    written += ` (${operator} ${version})`
  }
  return { request, text: written }
}

/** A relationship field (Depends, Pre-Depends, Provides): comma-separated clauses of `|` alternatives. */
export function parseRelationField(value: string): { clauses: ParsedAlternative[][]; errors: string[] } {
  const clauses: ParsedAlternative[][] = []
  const errors: string[] = []
  for (const clause of value.split(',')) {
    if (clause.trim() === '') continue
    const alternatives = clause.split('|').map((text) => ({ text, parsed: parseAlternative(text) }))
    const bad = alternatives.find((alternative) => !alternative.parsed)
    if (bad) errors.push(`cannot parse '${bad.text.trim()}'`)
    else clauses.push(alternatives.map((alternative) => alternative.parsed as ParsedAlternative))
  }
  return { clauses, errors }
}

const satisfiesRelation: Record<VersionRelation, (order: number) => boolean> = {
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '=': (order) => order === 0,
  '>=': (order) => order >= 0,
  '>': (order) => order > 0,
}

function versionSatisfies(version: string, request: CapabilityRequest): boolean {
  if (!request.relation || request.version === undefined) return true
  return satisfiesRelation[request.relation](dpkgVersionCompare(version, request.version))
}

interface VirtualProvide {
  pkg: DpkgDependentPackage
  /** Only `=` versions may be provided. */
  version?: string
}

class DpkgCapabilityIndex implements CapabilityIndex<DpkgDependentPackage> {
  private readonly cache = new Map<string, ReadonlySet<DpkgDependentPackage>>()

  constructor(
    private readonly byName: Map<string, DpkgDependentPackage[]>,
    private readonly virtual: Map<string, VirtualProvide[]>,
    private readonly nativeArch: string,
  ) {}

  private normalArch(arch: string): string {
    return arch === '' || arch === 'all' ? this.nativeArch : arch
  }

  private archSatisfied(
    candidate: DpkgPackage,
    request: CapabilityRequest,
    requirer: DpkgDependentPackage,
  ): boolean {
    const qualifier = request.archQualifier
    if (qualifier === undefined && candidate.multiArch === 'foreign') return true
    if (qualifier === 'any') return candidate.multiArch === 'allowed'
    const wanted = qualifier === undefined ? requirer.dpkg.arch : qualifier === 'native' ? '' : qualifier
    return this.normalArch(wanted) === this.normalArch(candidate.arch)
  }

  providers(request: CapabilityRequest, requirer: DpkgDependentPackage): ReadonlySet<DpkgDependentPackage> {
    const key = `${request.name}\0${request.archQualifier ?? ''}\0${request.relation ?? ''}\0${request.version ?? ''}\0${this.normalArch(requirer.dpkg.arch)}`
    let found = this.cache.get(key)
    if (!found) {
      found = new Set([
        ...(this.byName.get(request.name) ?? []).filter(
          (pkg) =>
            this.archSatisfied(pkg.dpkg, request, requirer) && versionSatisfies(pkg.dpkg.version, request),
        ),
        ...(this.virtual.get(request.name) ?? [])
          .filter(
            (provide) =>
              this.archSatisfied(provide.pkg.dpkg, request, requirer) &&
              (request.relation === undefined ||
                (provide.version !== undefined && versionSatisfies(provide.version, request))),
          )
          .map((provide) => provide.pkg),
      ])
      this.cache.set(key, found)
    }
    return found
  }
}

export interface DpkgRelations {
  packages: DpkgDependentPackage[]
  index: CapabilityIndex<DpkgDependentPackage>
  nativeArch: string
  warnings: ParseWarning[]
}

/** dpkg's own architecture is the native one; without a dpkg stanza, the most common one. */
function nativeArchOf(packages: readonly DpkgPackage[]): string {
  const dpkg = packages.find((pkg) => pkg.name === 'dpkg' && pkg.arch !== '' && pkg.arch !== 'all')
  if (dpkg) return dpkg.arch
  const counts = new Map<string, number>()
  for (const pkg of packages)
    if (pkg.arch !== '' && pkg.arch !== 'all') counts.set(pkg.arch, (counts.get(pkg.arch) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'all'
}

/**
 * The relations and capability index of the installed packages of a dpkg status file. `packages`
 * is the status file's parse (parseDpkgStatus) and `text` the file itself, whose relationship
 * fields are read here.
 */
export function dpkgRelations(text: string, file: string, packages: readonly DpkgPackage[]): DpkgRelations {
  const warnings: ParseWarning[] = []
  const stanzas = new Map(parseDeb822(text, file).stanzas.map((stanza) => [stanza.line, stanza]))
  const installed = packages.filter((pkg) => isInstalledState(pkg.state))
  const nativeArch = nativeArchOf(installed)
  const byName = new Map<string, DpkgDependentPackage[]>()
  const virtual = new Map<string, VirtualProvide[]>()

  const dependents = installed.map((dpkg): DpkgDependentPackage => {
    const foreign = dpkg.arch !== '' && dpkg.arch !== 'all' && dpkg.arch !== nativeArch
    const dependent: DpkgDependentPackage = {
      label: foreign ? `${dpkg.name}:${dpkg.arch}` : dpkg.name,
      dpkg,
      relations: [],
    }
    const field = (name: string) => {
      const found = stanzas.get(dpkg.line)?.fields.get(name.toLowerCase())
      if (!found) return undefined
      return { value: [found.value, ...found.continuation].join(' '), line: found.line }
    }
    const parsed = (name: string) => {
      const found = field(name)
      if (!found) return []
      const { clauses, errors } = parseRelationField(found.value)
      for (const error of errors)
        warnings.push({ file, line: found.line, message: `package ${dpkg.name}: ${name}: ${error}` })
      return clauses
    }
    for (const name of ['Pre-Depends', 'Depends']) {
      for (const clause of parsed(name)) {
        const relation: PackageRelation = {
          field: name,
          requirement: {
            op: 'or',
            operands: clause.map((alternative) => ({ op: 'capability', capability: alternative.request })),
          },
          text: `${aptFieldNames[name]}: ${clause.map((alternative) => alternative.text).join(' | ')}`,
        }
        dependent.relations.push(relation)
      }
    }
    for (const clause of parsed('Provides')) {
      for (const { request } of clause) {
        const list = virtual.get(request.name) ?? []
        list.push({ pkg: dependent, ...(request.relation === '=' ? { version: request.version } : {}) })
        virtual.set(request.name, list)
      }
    }
    byName.set(dpkg.name, [...(byName.get(dpkg.name) ?? []), dependent])
    return dependent
  })
  return {
    packages: dependents,
    index: new DpkgCapabilityIndex(byName, virtual, nativeArch),
    nativeArch,
    warnings,
  }
}
