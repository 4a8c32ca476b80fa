import type { SourceBinding } from '../config/anycast-config.ts'

/** The address a probe binds as its source, if any (`target` binds the address it aims at). */
export function sourceAddress(binding: SourceBinding, target: string | undefined): string | undefined {
  if (binding.kind === 'address') return binding.address
  return binding.kind === 'target' ? target : undefined
}
