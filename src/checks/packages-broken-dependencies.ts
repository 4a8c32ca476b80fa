// The upgrade's package transaction starts from the installed set: requirements already unmet make
// its dependency resolution fail or leave those packages broken on the new release. The seed
// blog's host had 20 ("Found 20 pre-existing rpmdb problem(s), 'yum check' output follows").
import type { BrokenDependency } from '../facts/packages/dependencies/broken-dependencies.ts'
import { defineCheck } from './define-check.ts'
import { outcomeFromRisks, risk } from './result.ts'

/** Capabilities named per risk; the messages list every line. */
const missingInRisk = 10

function byPackage(broken: readonly BrokenDependency[]): Map<string, BrokenDependency[]> {
  const packages = new Map<string, BrokenDependency[]>()
  for (const entry of broken) packages.set(entry.package, [...(packages.get(entry.package) ?? []), entry])
  return packages
}

export const packagesBrokenDependencies = defineCheck({
  id: 'packages.broken-dependencies',
  title: 'Broken dependencies in the installed set',
  group: 'packages',
  description:
    'Installed packages whose requirements no installed package meets, as `yum check` and `apt-get check` report them. The upgrade computes its transaction from the installed set: a requirement that is already broken makes the dependency resolution fail, or the package stays behind and stays broken; yum only reported them in the middle of the post-upgrade update.',
  needs: ['brokenDependencies'],
  run: ({ brokenDependencies: facts }) => {
    const tool = facts.format === 'rpm' ? 'yum check' : 'apt-get check'
    const messages = [
      `Requirements checked as ${tool} checks them: ${facts.requirementsChecked}, of ${facts.packagesChecked} installed packages; unmet: ${facts.broken.length}.`,
      ...facts.broken.map((entry) => entry.line),
    ]
    const packages = byPackage(facts.broken)
    // High: the upgrade is not safe until each is fixed (PA: "fix first"); the tools refuse to go
    // on (apt) or carry the problem into the new release (yum).
    const risks = [...packages].map(([label, entries]) => {
      const missing = [...new Set(entries.flatMap((entry) => entry.missing))]
      const named = missing.slice(0, missingInRisk).join(', ')
      const more = missing.length > missingInRisk ? ` and ${missing.length - missingInRisk} more` : ''
      return risk(
        'high',
        `${label}: unmet requirements (${entries.length}); nothing installed provides ${named}${more}.`,
      )
    })
    const names = [...packages.keys()].join(' ')
    const solution =
      facts.format === 'rpm'
        ? [
            `For each package: install what provides the missing capability (\`yum provides 'CAPABILITY'\`, then \`yum install\` it), or, when the package is no longer needed, remove it (\`yum remove ${names}\`; read the transaction yum shows before saying yes). Then run \`yum check\` (EL 8 and later: \`dnf check\`) until it prints nothing, and assess again.`,
          ]
        : [
            `Run \`apt-get check\` and \`apt --fix-broken install\` (it installs what is missing or removes what cannot be fixed), or remove the packages that are no longer needed (\`apt-get remove ${names}\`); assess again once \`apt-get check\` is clean.`,
          ]
    return outcomeFromRisks(risks, risks.length > 0 ? solution : [], messages)
  },
})
