/**
 * @module
 * Reads a configuration whose lexer expands `include "file";` where it stands — BIRD's (the
 * pattern a glob, matches in alphabetical order, at most 8 levels deep) and BIND's named.conf —
 * through the Host. A relative path is taken from the including file's directory.
 */
import type { Host } from '../../host/host.ts'
import type { ParseWarning } from '../../host/parse-error.ts'
import { hostGlob, includePath } from '../sshd-config/host-glob.ts'
import { type BirdToken, tokenizeBirdConfig } from './tokenize-bird-config.ts'

export interface LoadedTokens {
  /** Every token of the configuration, includes spliced in. */
  tokens: BirdToken[]
  /** The main file first, then each included file in the order read. */
  files: string[]
  warnings: ParseWarning[]
}

export interface IncludeRules {
  tokenize(text: string, file: string): { tokens: BirdToken[]; warnings: ParseWarning[] }
  /** Whether an include pattern is a glob. */
  glob: boolean
  maxDepth: number
  /** Who refuses a missing include, for the warning. */
  daemon: string
}

/** BIRD's MAX_INCLUDE_DEPTH is 8; its lexer takes globs. */
export const birdIncludeRules: IncludeRules = {
  tokenize: tokenizeBirdConfig,
  glob: true,
  maxDepth: 8,
  daemon: 'BIRD',
}

export async function loadWithIncludes(
  host: Host,
  mainFile: string,
  mainText: string,
  rules: IncludeRules,
): Promise<LoadedTokens> {
  const files: string[] = []
  const warnings: ParseWarning[] = []

  const expand = async (file: string, text: string, depth: number): Promise<BirdToken[]> => {
    files.push(file)
    const lexed = rules.tokenize(text, file)
    warnings.push(...lexed.warnings)
    const tokens: BirdToken[] = []
    for (let index = 0; index < lexed.tokens.length; index++) {
      const token = lexed.tokens[index] as BirdToken
      const target = lexed.tokens[index + 1]
      if (!(token.kind === 'symbol' && token.text === 'include' && target?.kind === 'string')) {
        tokens.push(token)
        continue
      }
      index++
      if (lexed.tokens[index + 1]?.text === ';') index++
      const where = { file, line: token.line }
      if (depth >= rules.maxDepth) {
        warnings.push({
          ...where,
          message: `includes nested more than ${rules.maxDepth} levels deep (${rules.daemon} refuses the file)`,
        })
        continue
      }
      const pattern = includePath(target.text, file)
      const matches = rules.glob && /[*?[]/.test(pattern) ? await hostGlob(host, pattern) : [pattern]
      for (const path of matches) {
        const included = await host.readText(path)
        if (included === undefined) {
          warnings.push({
            ...where,
            message: `included file ${path} does not exist (${rules.daemon} refuses the configuration)`,
          })
          continue
        }
        tokens.push(...(await expand(path, included, depth + 1)))
      }
    }
    return tokens
  }

  const tokens = await expand(mainFile, mainText, 0)
  return { tokens, files, warnings }
}
