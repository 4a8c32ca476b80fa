import type { Host } from '../../host/host.ts'

/**
 * The files named `*suffix` in `directories`, listed first to last by priority, where a file
 * masks one of the same name in a later directory (systemd.network(5), nm-settings-keyfile(5)):
 * the host paths of the files in effect, sorted by file name, which is the order they apply in.
 */
export async function layeredConfigFiles(
  host: Host,
  directories: readonly string[],
  suffix: string,
): Promise<string[]> {
  const chosen = new Map<string, string>()
  for (const directory of directories) {
    for (const entry of (await host.readDir(directory)) ?? []) {
      if (entry.name.endsWith(suffix) && !chosen.has(entry.name))
        chosen.set(entry.name, `${directory}/${entry.name}`)
    }
  }
  return [...chosen.keys()].sort().map((name) => chosen.get(name) as string)
}
