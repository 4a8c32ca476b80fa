/**
 * Builds an EL-like offline root at test time with the real rpmbuild, rpmsign and rpm: the elroot
 * packages (test/fixtures/elroot/specs, copied unchanged from /work/shared/tools/elroot) plus the
 * dependency fixtures (test/fixtures/elroot/dependency-specs), some of them signed with throwaway
 * gpg keys made here, installed with `rpm --root R --dbpath /var/lib/rpm -i --nodeps --noscripts`
 * (--nodeps: some requirements are unmet on purpose). Takes about a second.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const fixtures = fileURLToPath(new URL('../fixtures/elroot/', import.meta.url))

export interface SigningKey {
  /** The user id rpmsign is told to sign with. */
  name: string
  /** 16 lower-case hex digits, as `rpm -qi` prints after "Key ID". */
  keyId: string
}

export interface BuiltElroot {
  root: string
  /** The built package files by name ('elroot-base' → /tmp/…/elroot-base-1.2.3-4.el9.noarch.rpm). */
  rpms: Map<string, string>
  /** The throwaway keys, made only when something is to be signed. */
  keys?: { vendor: SigningKey; thirdParty: SigningKey }
  /** The output of `rpm --root <root> --dbpath /var/lib/rpm …` with these arguments, whatever its exit status (rpm -V exits 1 on findings). */
  rpm(...args: string[]): string
  remove(): void
}

export interface ElrootOptions {
  /** Package name → which key signs it; the others stay unsigned as rpmbuild made them. */
  sign?: Record<string, 'vendor' | 'thirdParty'>
  /** Leave these built packages out of the root. */
  skip?: string[]
  /** Runs on the empty root before rpm installs into it (to lay out links as a distribution has them). */
  prepare?: (root: string) => void
  /** More `rpm -i` options ('--excludedocs'). */
  installOptions?: string[]
}

function makeKey(gnupgHome: string, name: string): SigningKey {
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', name, 'rsa2048', 'sign', 'never'], {
    env: { ...process.env, GNUPGHOME: gnupgHome },
    stdio: 'ignore',
  })
  const listing = execFileSync('gpg', ['--list-keys', '--with-colons', name], {
    env: { ...process.env, GNUPGHOME: gnupgHome },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const keyId = listing
    .split('\n')
    .find((line) => line.startsWith('pub:'))
    ?.split(':')[4]
    ?.toLowerCase()
  if (!keyId) throw new Error(`gpg made no key for ${name}`)
  return { name, keyId }
}

export function buildElroot(options: ElrootOptions = {}): BuiltElroot {
  const work = mkdtempSync(path.join(tmpdir(), 'preflight-elroot-'))
  const top = path.join(work, 'rpmbuild')
  const gnupgHome = path.join(work, 'gnupg')
  mkdirSync(gnupgHome, { mode: 0o700 })
  const specs = ['specs', 'dependency-specs'].flatMap((dir) =>
    readdirSync(path.join(fixtures, dir)).map((file) => path.join(fixtures, dir, file)),
  )
  for (const spec of specs) {
    execFileSync(
      'rpmbuild',
      ['--define', `_topdir ${top}`, '--define', '_binary_payload w9.gzdio', '--quiet', '-bb', spec],
      { stdio: 'ignore', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } },
    )
  }
  const built = path.join(top, 'RPMS', 'noarch')
  const rpms = new Map(
    readdirSync(built).map((file) => [
      file.replace(/-[^-]+-[^-]+\.noarch\.rpm$/, ''),
      path.join(built, file),
    ]),
  )

  const signing = Object.entries(options.sign ?? {})
  const keys =
    signing.length > 0
      ? {
          vendor: makeKey(gnupgHome, 'preflight test vendor <vendor@example.invalid>'),
          thirdParty: makeKey(gnupgHome, 'preflight test third party <third@example.invalid>'),
        }
      : undefined
  for (const [name, signer] of signing) {
    if (!keys) break
    const file = rpms.get(name)
    if (!file) throw new Error(`no built package ${name}`)
    execFileSync(
      'rpmsign',
      ['--define', '__gpg /usr/bin/gpg', '--define', `_gpg_name ${keys[signer].name}`, '--addsign', file],
      { stdio: 'ignore', env: { ...process.env, GNUPGHOME: gnupgHome } },
    )
  }

  const root = path.join(work, 'root')
  mkdirSync(root)
  options.prepare?.(root)
  const rpm = (...args: string[]) =>
    spawnSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', ...args], { encoding: 'utf8' }).stdout
  rpm('--initdb')
  const installed = [...rpms].filter(([name]) => !options.skip?.includes(name)).map(([, file]) => file)
  rpm('-i', '--nodeps', '--noscripts', ...(options.installOptions ?? []), ...installed)
  return {
    root,
    rpms,
    ...(keys ? { keys } : {}),
    rpm,
    remove: () => rmSync(work, { recursive: true, force: true }),
  }
}
