/**
 * @module
 * The format-neutral dependency model and its resolver. A package's relations (rpm Requires,
 * dpkg Depends and Pre-Depends) are boolean trees over capability requests; the package format
 * supplies only an index that answers "which installed packages satisfy this request", with its
 * own version order, provide rules, file provides and architecture rules. The resolver evaluates
 * every relation of every installed package against that index, as `yum check` and
 * `apt-get check` do for the installed set.
 */

/** A version relation, normalised: dpkg's `<<`/`>>` are `<`/`>`. */
export type VersionRelation = '<' | '<=' | '=' | '>=' | '>'

/** One capability a relation names: a package, a virtual package, a soname, a file path. */
export interface CapabilityRequest {
  name: string
  relation?: VersionRelation
  version?: string
  /** dpkg architecture qualifier ('any', 'native', 'amd64'); rpm names carry none. */
  archQualifier?: string
}

/**
 * A relation as a tree. `if`/`unless` (rpm rich dependencies) require `body` when `condition` is
 * (not) satisfied, else `otherwise` when given; `with`/`without` need one package that provides
 * both operands (the first but not the second).
 */
export type Requirement =
  | { op: 'capability'; capability: CapabilityRequest }
  | { op: 'and' | 'or'; operands: Requirement[] }
  | { op: 'if' | 'unless'; body: Requirement; condition: Requirement; otherwise?: Requirement }
  | { op: 'with' | 'without'; operands: [Requirement, Requirement] }

export interface PackageRelation {
  /** The field it comes from: 'requires' (rpm), 'Depends', 'Pre-Depends' (dpkg). */
  field: string
  requirement: Requirement
  /** As the package manager's check prints it. */
  text: string
}

export interface DependentPackage {
  /** The package as the package manager's check names it. */
  label: string
  relations: PackageRelation[]
}

export interface CapabilityIndex<P> {
  /** The installed packages that satisfy `request` for `requirer` (dpkg's architecture rules depend on it). */
  providers(request: CapabilityRequest, requirer: P): ReadonlySet<P>
}

export interface UnsatisfiedRelation<P> {
  package: P
  relation: PackageRelation
  /** The capability requests inside the relation that nothing installed satisfies. */
  missing: CapabilityRequest[]
}

class Evaluation<P> {
  readonly missing: CapabilityRequest[] = []

  constructor(
    private readonly index: CapabilityIndex<P>,
    private readonly requirer: P,
  ) {}

  satisfied(requirement: Requirement): boolean {
    switch (requirement.op) {
      case 'capability': {
        const found = this.index.providers(requirement.capability, this.requirer).size > 0
        if (!found) this.missing.push(requirement.capability)
        return found
      }
      case 'and':
        return requirement.operands.map((operand) => this.satisfied(operand)).every(Boolean)
      case 'or':
        return requirement.operands.map((operand) => this.satisfied(operand)).some(Boolean)
      case 'if':
      case 'unless': {
        const condition = this.quietly(requirement.condition)
        const wantBody = requirement.op === 'if' ? condition : !condition
        if (wantBody) return this.satisfied(requirement.body)
        return requirement.otherwise ? this.satisfied(requirement.otherwise) : true
      }
      case 'with':
      case 'without': {
        const found = this.providerSet(requirement).size > 0
        if (!found) this.satisfied(requirement.operands[0])
        return found
      }
    }
  }

  /** A condition that does not hold is not something missing. */
  private quietly(requirement: Requirement): boolean {
    return new Evaluation(this.index, this.requirer).satisfied(requirement)
  }

  /** The packages that provide what `requirement` asks for by themselves, for `with`/`without`. */
  private providerSet(requirement: Requirement): ReadonlySet<P> {
    switch (requirement.op) {
      case 'capability':
        return this.index.providers(requirement.capability, this.requirer)
      case 'or':
        return new Set(requirement.operands.flatMap((operand) => [...this.providerSet(operand)]))
      case 'with':
      case 'and': {
        const [first, ...rest] = requirement.operands.map((operand) => this.providerSet(operand))
        return new Set([...(first ?? [])].filter((pkg) => rest.every((set) => set.has(pkg))))
      }
      case 'without': {
        const [kept, dropped] = requirement.operands.map((operand) => this.providerSet(operand))
        return new Set([...(kept ?? [])].filter((pkg) => !dropped?.has(pkg)))
      }
      default:
        return this.quietly(requirement) ? new Set([this.requirer]) : new Set()
    }
  }
}

/** Every relation of `packages` that the installed set does not satisfy, in package and field order. */
export function unsatisfiedRelations<P extends DependentPackage>(
  packages: readonly P[],
  index: CapabilityIndex<P>,
): UnsatisfiedRelation<P>[] {
  const unsatisfied: UnsatisfiedRelation<P>[] = []
  for (const pkg of packages) {
    for (const relation of pkg.relations) {
      const evaluation = new Evaluation(index, pkg)
      if (!evaluation.satisfied(relation.requirement))
        unsatisfied.push({ package: pkg, relation, missing: evaluation.missing })
    }
  }
  return unsatisfied
}
