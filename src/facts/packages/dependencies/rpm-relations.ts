/**
 * @module
 * The rpm side of the dependency check: each installed package's Requires, resolved as rpm's own
 * check resolves them against the installed set (`rpm -V` prints "Unsatisfied dependencies"), and
 * named as `yum check` names them ("cas-0.15-1.el6.1.noarch has missing requires of
 * python(abi) = ('0', '2.6', None)").
 *
 * The rules, each verified against rpm 4.18 in the tests:
 * - a provide satisfies a require of the same name when their ranges overlap (rpmRangesOverlap);
 *   an unversioned provide satisfies every versioned require (yum 3 instead compared it with the
 *   providing package's own version);
 * - every package provides its own name at its own version, as rpm adds to every header;
 * - a file require (`/bin/sh`) is satisfied by any installed package's file list entry, files and
 *   directories alike, or by a provide of that name; entries rpm did not install (--excludedocs,
 *   another package's replaced file) do not count;
 * - requires needed only while installing (pre, post, pretrans, posttrans scriptlets) are
 *   skipped, as rpm and yum skip them for installed packages: rpm lets their providers go once the
 *   package is in; `rpmlib(...)` requires too, as yum check skips them: they name features of
 *   the rpm that installed the package, not packages;
 * - rich dependencies (rpm ≥ 4.13) are evaluated as trees.
 */
import type { ParseWarning } from '../../../host/parse-error.ts'
import { filesOrWarning, type RpmDependency, type RpmPackage } from '../rpm/rpm-package.ts'
import { senseFlags, senseOperator } from '../rpm/tags.ts'
import { parseRichDependency } from './parse-rich-dependency.ts'
import { parseRpmEvr, rpmRangesOverlap, rpmVersionCompare } from './rpm-version-compare.ts'
import type {
  CapabilityIndex,
  CapabilityRequest,
  DependentPackage,
  Requirement,
  VersionRelation,
} from './unsatisfied-relations.ts'

export interface RpmDependentPackage extends DependentPackage {
  rpm: RpmPackage
}

const keyringFlag = 1 << 26
/** rpm's install-only prerequisites (isInstallPreReq), unless also needed for erasing (isErasePreReq). */
const installOnlyFlags =
  senseFlags.SCRIPT_PRE |
  senseFlags.SCRIPT_POST |
  senseFlags.RPMLIB |
  keyringFlag |
  senseFlags.PRETRANS |
  senseFlags.POSTTRANS
const eraseFlags = senseFlags.SCRIPT_PREUN | senseFlags.SCRIPT_POSTUN

function neededOnlyToInstall(flags: number): boolean {
  return (flags & installOnlyFlags) !== 0 && (flags & eraseFlags) === 0
}

/** RPMFILE_STATE_* values of files rpm put on disk (normal, netshared); the others it did not install. */
const installedFileStates = new Set([0, 3])

const relationFlags: Record<VersionRelation, number> = {
  '<': senseFlags.LESS,
  '<=': senseFlags.LESS | senseFlags.EQUAL,
  '=': senseFlags.EQUAL,
  '>=': senseFlags.GREATER | senseFlags.EQUAL,
  '>': senseFlags.GREATER,
}

function relationOf(flags: number): VersionRelation | undefined {
  const operator = senseOperator(flags)
  return operator === '' ? undefined : (operator as VersionRelation)
}

/** `[epoch:]name-version-release.arch` as yum names a package: the epoch only when it is not 0. */
function yumPackageLabel(pkg: Pick<RpmPackage, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  const epoch = pkg.epoch ? `${pkg.epoch}:` : ''
  return `${epoch}${pkg.name}-${pkg.version}-${pkg.release}.${pkg.arch || '(none)'}`
}

/** A Python 2 repr of yum's (epoch, version, release) tuple: missing parts are None, a missing epoch '0'. */
function yumVersionTuple(version: string): string {
  if (version === '') return '(None, None, None)'
  const evr = parseRpmEvr(version)
  const quote = (part: string | undefined) => (part === undefined || part === '' ? 'None' : `'${part}'`)
  const epoch = evr.epoch === undefined ? '0' : String(Number(evr.epoch))
  return `(${quote(epoch)}, ${quote(evr.version)}, ${quote(evr.release)})`
}

/** A require as yum check prints it: `name`, or `name op (epoch, version, release)`; rich ones as written. */
function yumRequireText(dependency: RpmDependency): string {
  const operator = senseOperator(dependency.flags)
  if (dependency.name.startsWith('(') || operator === '') return dependency.name
  return `${dependency.name} ${operator} ${yumVersionTuple(dependency.version)}`
}

function requirementOf(dependency: RpmDependency): Requirement | { error: string } {
  if (dependency.name.startsWith('(')) return parseRichDependency(dependency.name)
  const relation = relationOf(dependency.flags)
  const capability: CapabilityRequest = { name: dependency.name }
  if (relation && dependency.version !== '') {
    capability.relation = relation
    capability.version = dependency.version
  }
  return { op: 'capability', capability }
}

function filePathsIn(requirement: Requirement, into: Set<string>): void {
  switch (requirement.op) {
    case 'capability':
      if (requirement.capability.name.startsWith('/')) into.add(requirement.capability.name)
      return
    case 'if':
    case 'unless':
      for (const part of [requirement.body, requirement.condition, requirement.otherwise])
        if (part) filePathsIn(part, into)
      return
    default:
      for (const operand of requirement.operands) filePathsIn(operand, into)
  }
}

interface Provide {
  pkg: RpmDependentPackage
  flags: number
  version: string
}

class RpmCapabilityIndex implements CapabilityIndex<RpmDependentPackage> {
  private readonly cache = new Map<string, ReadonlySet<RpmDependentPackage>>()

  constructor(
    private readonly provides: Map<string, Provide[]>,
    private readonly fileOwners: Map<string, Set<RpmDependentPackage>>,
  ) {}

  providers(request: CapabilityRequest): ReadonlySet<RpmDependentPackage> {
    const key = `${request.name}\0${request.relation ?? ''}\0${request.version ?? ''}`
    let found = this.cache.get(key)
    if (!found) {
      const wanted = {
        flags: request.relation ? relationFlags[request.relation] : 0,
        version: request.version ?? '',
      }
      const matching = (this.provides.get(request.name) ?? [])
        .filter((provide) => rpmRangesOverlap(provide, wanted))
        .map((provide) => provide.pkg)
      found = new Set([...matching, ...(this.fileOwners.get(request.name) ?? [])])
      this.cache.set(key, found)
    }
    return found
  }
}

/** yum's package order (PackageObject comparison): name, then epoch, version, release, then arch. */
function yumOrder(a: RpmPackage, b: RpmPackage): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  return (
    rpmVersionCompare(String(a.epoch ?? 0), String(b.epoch ?? 0)) ||
    rpmVersionCompare(a.version, b.version) ||
    rpmVersionCompare(a.release, b.release) ||
    (a.arch === b.arch ? 0 : a.arch < b.arch ? -1 : 1)
  )
}

export interface RpmRelations {
  /** In yum's package order, which `yum check` reports in. */
  packages: RpmDependentPackage[]
  index: CapabilityIndex<RpmDependentPackage>
  /** Requires that could not be read (a malformed rich dependency, an unreadable file list). */
  warnings: ParseWarning[]
}

/** The relations and the capability index of an rpm database's packages; `file` names it in warnings. */
export function rpmRelations(packages: readonly RpmPackage[], file: string): RpmRelations {
  const warnings: ParseWarning[] = []
  const provides = new Map<string, Provide[]>()
  const requiredPaths = new Set<string>()
  const dependents: RpmDependentPackage[] = [...packages].sort(yumOrder).map((rpm) => {
    const label = yumPackageLabel(rpm)
    const dependent: RpmDependentPackage = { label, rpm, relations: [] }
    const seen = new Set<string>()
    for (const dependency of rpm.dependencies('requires')) {
      if (dependency.name.startsWith('rpmlib(') || neededOnlyToInstall(dependency.flags)) continue
      const text = yumRequireText(dependency)
      // rpm keeps one entry per kind (pre, post, …) of the same require; yum check reports each once.
      if (seen.has(text)) continue
      seen.add(text)
      const requirement = requirementOf(dependency)
      if ('error' in requirement) {
        warnings.push({
          file,
          line: 0,
          message: `${label}: require '${dependency.name}': ${requirement.error}`,
        })
        continue
      }
      filePathsIn(requirement, requiredPaths)
      dependent.relations.push({ field: 'requires', requirement, text })
    }
    const own = rpm.dependencies('provides')
    if (!own.some((provide) => provide.name === rpm.name)) {
      const epoch = rpm.epoch === undefined ? '' : `${rpm.epoch}:`
      own.push({ name: rpm.name, flags: senseFlags.EQUAL, version: `${epoch}${rpm.version}-${rpm.release}` })
    }
    for (const provide of own) {
      const list = provides.get(provide.name) ?? []
      list.push({ pkg: dependent, flags: provide.flags, version: provide.version })
      provides.set(provide.name, list)
    }
    return dependent
  })

  const fileOwners = new Map<string, Set<RpmDependentPackage>>()
  if (requiredPaths.size > 0) {
    for (const dependent of dependents) {
      const files = filesOrWarning(dependent.rpm, dependent.label, file, warnings)
      if (!files) continue
      for (const entry of files) {
        if (entry.state !== undefined && !installedFileStates.has(entry.state)) continue
        const path = entry.path?.toString('utf8')
        if (path === undefined || !requiredPaths.has(path)) continue
        const owners = fileOwners.get(path) ?? new Set()
        owners.add(dependent)
        fileOwners.set(path, owners)
      }
    }
  }
  return { packages: dependents, index: new RpmCapabilityIndex(provides, fileOwners), warnings }
}
