import type { ProbeConfig } from '../config/anycast-config.ts'
import type { InterfaceAddresses } from '../loopback/interface-addresses.ts'
import { addressProbe } from './address-probe.ts'
import { commandProbe } from './command-probe.ts'
import { dnsProbe } from './dns-probe.ts'
import { httpProbe } from './http-probe.ts'
import { portProbe } from './port-probe.ts'
import type { Probe } from './probe.ts'

/** The probe for a check's configured type. */
export function createProbe(config: ProbeConfig, addresses: InterfaceAddresses): Probe {
  switch (config.type) {
    case 'dns':
      return dnsProbe(config)
    case 'tcp':
    case 'udp':
      return portProbe(config)
    case 'http':
      return httpProbe(config)
    case 'command':
      return commandProbe(config)
    case 'address':
      return addressProbe(config, addresses)
  }
}
