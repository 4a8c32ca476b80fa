/**
 * @module
 * The shapes every network configuration reader returns: addresses a tool brings up at boot,
 * interfaces that get theirs from DHCP or router advertisements, and the files read.
 */
import type { ParseWarning } from '../../host/parse-error.ts'
import type { InterfaceAddress } from './interface-address.ts'

export type NetworkConfigTool = 'ifupdown' | 'systemd-networkd' | 'ifcfg' | 'NetworkManager'

export interface ConfiguredAddress extends InterfaceAddress {
  /** The device the address is on (`lo` for the alias `lo:1`). */
  interface: string
  /** The alias or label as written (`lo:1`), when it differs from the device. */
  label?: string
  tool: NetworkConfigTool
  file: string
  line: number
}

export interface DynamicAddressing {
  interface: string
  /** `dhcp`, `auto`, … as the tool spells it. */
  method: string
  tool: NetworkConfigTool
  file: string
  line: number
}

export interface NetworkConfigReading {
  addresses: ConfiguredAddress[]
  dynamic: DynamicAddressing[]
  files: string[]
  warnings: ParseWarning[]
}

export function emptyReading(): NetworkConfigReading {
  return { addresses: [], dynamic: [], files: [], warnings: [] }
}

/** Adds `reading` to `total` (readers of many files gather into one). */
export function appendReading(total: NetworkConfigReading, reading: NetworkConfigReading): void {
  total.addresses.push(...reading.addresses)
  total.dynamic.push(...reading.dynamic)
  total.files.push(...reading.files)
  total.warnings.push(...reading.warnings)
}
