/**
 * @module
 * Address check: healthy while every listed address is assigned to the interface (the service
 * cannot answer on an address this node does not have).
 */
import type { ProbeConfig } from '../config/anycast-config.ts'
import type { InterfaceAddresses } from '../loopback/interface-addresses.ts'
import { failed, type Probe, passed } from './probe.ts'

type AddressProbeConfig = Extract<ProbeConfig, { type: 'address' }>

export function addressProbe(config: AddressProbeConfig, addresses: InterfaceAddresses): Probe {
  return async () => {
    let present: Set<string>
    try {
      present = await addresses.list(config.interface)
    } catch (error) {
      return failed((error as Error).message)
    }
    const missing = config.addresses
      .filter((prefix) => !present.has(prefix.text))
      .map((prefix) => prefix.text)
    return missing.length === 0
      ? passed(
          `${config.addresses.length} address${config.addresses.length === 1 ? '' : 'es'} on ${config.interface}`,
        )
      : failed(`not on ${config.interface}: ${missing.join(', ')}`)
  }
}
