// SELinux that is off or permissive stays so through the upgrade, and turning it on later needs a
// full relabel: files created meanwhile carry no labels. The blog: "remember to leave SELinux turned
// on". From RHEL 9, SELINUX=disabled no longer disables it ("Considerations in adopting RHEL 9", 10.3).
import type { Selinux, SelinuxKernelArgument, SelinuxMode } from '../facts/selinux.ts'
import { defineCheck } from './define-check.ts'
import { outcomeFromRisks, type Risk, risk } from './result.ts'

interface BootMode {
  mode?: SelinuxMode
  /** What sets it, for messages and the fix: a kernel argument or the SELINUX= line. */
  setting: string
  where: { file?: string; line?: number }
  argument?: SelinuxKernelArgument
}

/** The mode the next boot gets: selinux=0 and enforcing=0 on the kernel command line override the config file. */
function bootMode(selinux: Selinux): BootMode {
  const argument =
    selinux.kernelArguments.find((a) => a.argument === 'selinux=0') ??
    selinux.kernelArguments.find((a) => a.argument === 'enforcing=0')
  if (argument) {
    return {
      mode: argument.argument === 'selinux=0' ? 'disabled' : 'permissive',
      setting: `the kernel argument ${argument.argument} (${argument.file}:${argument.line})`,
      where: { file: argument.file, line: argument.line },
      argument,
    }
  }
  const config = selinux.config
  const where = config ? { file: config.file, ...(config.modeLine ? { line: config.modeLine } : {}) } : {}
  const location = config?.modeLine
    ? `${config.file}:${config.modeLine}`
    : (config?.file ?? 'no configuration')
  return {
    ...(config?.mode ? { mode: config.mode } : {}),
    setting: `SELINUX=${config?.mode ?? '?'} (${location})`,
    where,
  }
}

function argumentFix(argument: SelinuxKernelArgument): string {
  return argument.file === '/etc/default/grub'
    ? `remove ${argument.argument} from ${argument.file}:${argument.line} and regenerate the boot configuration (grub2-mkconfig -o /boot/grub2/grub.cfg)`
    : `remove ${argument.argument} from the kernel line at ${argument.file}:${argument.line}`
}

export const selinuxNotEnforcing = defineCheck({
  id: 'security.selinux-not-enforcing',
  title: 'SELinux not enforcing',
  group: 'security',
  description:
    'SELinux that is disabled or permissive before the upgrade stays so after it. Turning it on later needs a full relabel, because files created while it was off carry no labels; services that only worked in permissive mode fail once it enforces.',
  needs: ['selinux'],
  appliesTo: ({ selinux }, { os }) => {
    if (selinux.installed || selinux.runtime?.selinuxfsMounted) return undefined
    return os.family === 'debian'
      ? "SELinux is not installed (no /etc/selinux/config); Debian's default mandatory access control is AppArmor, which this check does not cover."
      : 'SELinux is not installed (no /etc/selinux/config).'
  },
  run: ({ selinux }, { os, target }) => {
    const boot = bootMode(selinux)
    const runtime = selinux.runtime?.mode
    const policy = selinux.config?.policy ? `, policy ${selinux.config.policy}` : ''
    const messages = [`At boot: ${boot.mode ?? 'unknown'} — ${boot.setting}${policy}.`]
    if (runtime)
      messages.push(
        `Running now: ${runtime}${selinux.runtime?.selinuxfsMounted ? '' : ' (selinuxfs is not mounted)'}.`,
      )
    const risks: Risk[] = []
    const solutions: string[] = []
    const configLine = selinux.config?.modeLine
      ? `${selinux.config.file}:${selinux.config.modeLine}`
      : '/etc/selinux/config'
    const unsetArgument = boot.argument ? `; ${argumentFix(boot.argument)}` : ''

    if (boot.mode === 'disabled') {
      // Medium, not high: nothing breaks during the upgrade itself, but every day it stays off makes
      // turning it on harder, and the upgraded system starts without the protection it was built for.
      const rhel9 =
        os.family === 'rhel' && target.major >= 9 && !boot.argument
          ? ` On ${target.major}, SELINUX=disabled no longer turns SELinux off: the kernel starts it with no policy loaded; only the selinux=0 kernel argument disables it.`
          : ''
      risks.push(risk('medium', `SELinux is disabled by ${boot.setting}.${rhel9}`, boot.where))
      solutions.push(
        `Turn SELinux on before the upgrade, in two steps: set SELINUX=permissive at ${configLine}${unsetArgument}, run \`touch /.autorelabel\` and reboot so every file gets its label; then check the denials (\`ausearch -m avc -ts boot\`), set SELINUX=enforcing and reboot. As the blog says: remember to leave SELinux turned on.`,
      )
    } else if (boot.mode === 'permissive') {
      risks.push(
        risk(
          'slight',
          `SELinux is permissive by ${boot.setting}: denials are logged, not enforced.`,
          boot.where,
        ),
      )
      solutions.push(
        `Review the denials logged in permissive mode (\`ausearch -m avc\`), fix them (restorecon, setsebool or a local policy module), then set SELINUX=enforcing at ${configLine}${unsetArgument} and run \`setenforce 1\`.`,
      )
    } else if (boot.mode === undefined) {
      risks.push(
        risk(
          'slight',
          `${configLine} sets no valid SELINUX= mode, so the mode at boot cannot be told.`,
          boot.where,
        ),
      )
      solutions.push(`Set SELINUX=enforcing at ${configLine}.`)
    }

    if (runtime === 'disabled' && boot.mode !== 'disabled' && boot.mode !== undefined) {
      risks.push(
        risk(
          'medium',
          `SELinux is off now but ${boot.mode} at the next boot: files created while it is off carry no labels, and the reboot into the upgraded system will enforce them.`,
        ),
      )
      solutions.push(
        'Run `touch /.autorelabel` before the upgrade so the first boot relabels the file systems.',
      )
    } else if (runtime === 'permissive' && boot.mode === 'enforcing') {
      risks.push(
        risk(
          'slight',
          'SELinux is permissive now (setenforce 0) while the configuration says enforcing: the reboot into the upgraded system enforces again, and a service that works only because of permissive mode will be denied.',
        ),
      )
      solutions.push(
        'Run `setenforce 1` now and test the services, so the upgrade reboot brings no surprise.',
      )
    }

    return outcomeFromRisks(risks, solutions, messages)
  },
})
