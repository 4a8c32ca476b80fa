/**
 * @module
 * BIRD 2 backend. Each apply rewrites the include file atomically (only when its text changes)
 * and reconfigures BIRD over the control socket; a reply of 0003 (or 0004/0005 followed by
 * `show status` reporting BIRD idle) means the new export policy is in force. Withdraws of a
 * service with its own protocol (`bird-protocol`) first take the fast path, `disable PROTO`,
 * which works even while BIRD rejects the configuration. With `confirm-protocols`, a withdraw
 * counts only once those protocols' export views no longer show the prefix.
 *
 * When BIRD rejects the new include the file stays as written: it states the current truth (a
 * failing service is not exported), and restoring the old one would make the next BIRD start
 * announce that service. BIRD keeps running its previous configuration meanwhile; the reconciler
 * retries with back-off, and the prefixes stay in `mayBeAnnounced`, so no address is removed.
 *
 * BIRD 2.0.12 re-enables protocols disabled from the CLI on every reconfiguration; that is
 * harmless here because the include then filters the withdrawn service's prefixes.
 */
import type { Logger } from 'pino'
import { type Clock, sleep } from '../clock.ts'
import type { BirdSettings } from '../config/anycast-config.ts'
import { writeFileAtomic } from '../write-file-atomic.ts'
import { type BirdReply, birdCommand, configureOutcome, isBirdIdle, showsRoute } from './bird-control.ts'
import { renderBirdInclude } from './bird-include.ts'
import type { ApplyResult, RouteIntent, RoutingBackend } from './routing-backend.ts'

export interface BirdBackendOptions {
  readonly settings: BirdSettings
  /** Named in the include's header comment (the config file). */
  readonly source: string
  readonly clock: Clock
  readonly logger: Logger
}

const pollInterval = 100

export class BirdBackend implements RoutingBackend {
  readonly kind = 'bird'
  readonly minGap: number
  /** Include text BIRD has accepted; undefined until the first successful reconfiguration. */
  private configured: string | undefined
  private written: string | undefined
  private announced = new Set<string>()
  /** Undefined until the first apply: what an earlier run left announced is unknown. */
  private mayBeAnnounced: Set<string> | undefined
  private readonly disabledByUs = new Set<string>()

  constructor(private readonly options: BirdBackendOptions) {
    this.minGap = options.settings.coalesce
  }

  private command(command: string): Promise<BirdReply> {
    const { socket, timeout } = this.options.settings
    return birdCommand(socket, command, timeout)
  }

  async apply(intents: readonly RouteIntent[]): Promise<ApplyResult> {
    const { settings, logger } = this.options
    const announceSet = new Set(
      intents.filter((i) => i.announce).flatMap((i) => i.prefixes.map((p) => p.text)),
    )
    const previous =
      this.mayBeAnnounced ?? new Set([...intents.flatMap((i) => i.prefixes.map((p) => p.text))])
    const withdrawnNow = new Set<string>()
    const problems: string[] = []
    const notes: string[] = []

    for (const intent of intents) {
      const protocol = intent.birdProtocol
      if (intent.announce || !protocol || !intent.prefixes.some((p) => previous.has(p.text))) continue
      try {
        const reply = await this.command(`disable ${protocol}`)
        if (reply.lines.some((l) => l.code === 8 || l.code === 9)) {
          this.disabledByUs.add(protocol)
          for (const prefix of intent.prefixes) withdrawnNow.add(prefix.text)
          notes.push(`disabled ${protocol}`)
          logger.info(
            { event: 'bird-disable', service: intent.service, protocol },
            `BIRD protocol ${protocol} disabled`,
          )
        } else {
          problems.push(`disable ${protocol}: ${reply.text} (code ${reply.code})`)
        }
      } catch (error) {
        problems.push(`disable ${protocol}: ${(error as Error).message}`)
      }
    }

    const text = renderBirdInclude(settings.functionName, intents, this.options.source)
    let configuredNow = this.configured === text
    if (!configuredNow) {
      try {
        if (this.written !== text) {
          await writeFileAtomic(settings.includeFile, text)
          this.written = text
        }
        const outcome = configureOutcome(await this.command('configure'))
        if (outcome.accepted && outcome.inProgress) await this.waitUntilIdle()
        if (outcome.accepted) {
          this.configured = text
          configuredNow = true
          notes.push(outcome.message)
          logger.info(
            { event: 'bird-configure', result: 'ok', reply: outcome.message },
            `birdc configure: ${outcome.message}`,
          )
        } else {
          problems.push(`BIRD rejected the configuration: ${outcome.message}`)
          logger.error(
            {
              event: 'bird-configure',
              result: 'rejected',
              reply: outcome.message,
              location: outcome.location,
            },
            `birdc configure rejected: ${outcome.message}`,
          )
        }
      } catch (error) {
        // The reconciler logs the failed reload; this is the detail.
        problems.push((error as Error).message)
        logger.debug(
          { event: 'bird-configure', result: 'error', err: (error as Error).message },
          (error as Error).message,
        )
      }
    }

    let unconfirmed = new Set<string>()
    if (configuredNow) {
      const withdrawing = [...previous].filter((p) => !announceSet.has(p) && !withdrawnNow.has(p))
      unconfirmed = await this.confirmWithdrawn(withdrawing, problems).catch((error: unknown) => {
        problems.push(`confirming the withdraw: ${(error as Error).message}`)
        return new Set(withdrawing)
      })
      for (const intent of intents) {
        const protocol = intent.birdProtocol
        if (!intent.announce || !protocol || !this.disabledByUs.has(protocol)) continue
        try {
          const reply = await this.command(`enable ${protocol}`)
          if (reply.lines.some((l) => l.code === 10 || l.code === 11)) this.disabledByUs.delete(protocol)
          else problems.push(`enable ${protocol}: ${reply.text} (code ${reply.code})`)
        } catch (error) {
          problems.push(`enable ${protocol}: ${(error as Error).message}`)
        }
      }
      const stillDisabled = new Set(
        intents
          .filter((i) => i.birdProtocol && this.disabledByUs.has(i.birdProtocol))
          .flatMap((i) => i.prefixes.map((p) => p.text)),
      )
      this.announced = new Set([...announceSet].filter((p) => !stillDisabled.has(p)))
      this.mayBeAnnounced = new Set([...announceSet, ...unconfirmed])
    } else {
      // BIRD still runs its previous configuration: nothing new is announced, and only the
      // fast-path withdraws took effect.
      this.announced = new Set([...this.announced].filter((p) => !withdrawnNow.has(p)))
      this.mayBeAnnounced = new Set([...previous].filter((p) => !withdrawnNow.has(p)))
    }
    return {
      ok: problems.length === 0,
      announced: new Set(this.announced),
      mayBeAnnounced: new Set(this.mayBeAnnounced),
      message: problems.length > 0 ? problems.join('; ') : notes.join('; ') || 'unchanged',
      changed: notes.length > 0 || problems.length > 0,
    }
  }

  /** After 0004/0005: polls `show status` until BIRD reports it is up and running again. */
  private async waitUntilIdle(): Promise<void> {
    const { clock, settings } = this.options
    const deadline = clock.now() + settings.confirmTimeout
    while (!isBirdIdle(await this.command('show status'))) {
      if (clock.now() >= deadline)
        throw new Error(`BIRD still reconfiguring after ${settings.confirmTimeout}ms`)
      await sleep(clock, pollInterval)
    }
  }

  /** Prefixes still shown in a confirm protocol's export view when the confirm time-out ends. */
  private async confirmWithdrawn(prefixes: readonly string[], problems: string[]): Promise<Set<string>> {
    const { clock, settings } = this.options
    const pending = new Set(prefixes)
    if (settings.confirmProtocols.length === 0 || pending.size === 0) return new Set()
    const deadline = clock.now() + settings.confirmTimeout
    for (;;) {
      for (const prefix of [...pending]) {
        let exported = false
        for (const protocol of settings.confirmProtocols) {
          const reply = await this.command(`show route export ${protocol} ${prefix}`)
          // Not exported: 8001 "Network not found", an empty listing, and "No valid tables"
          // (BIRD skips a table whose export channel is down, e.g. while the session is down).
          const notExported =
            reply.code === 8001 || (reply.code === 9001 && /No valid tables/.test(reply.text))
          if (reply.code >= 8000 && !notExported) {
            problems.push(`show route export ${protocol}: ${reply.text} (code ${reply.code})`)
            return pending
          }
          exported ||= showsRoute(reply)
        }
        if (!exported) pending.delete(prefix)
      }
      if (pending.size === 0) return pending
      if (clock.now() >= deadline) {
        problems.push(`still exported after ${settings.confirmTimeout}ms: ${[...pending].join(', ')}`)
        return pending
      }
      await sleep(clock, pollInterval)
    }
  }

  async close(): Promise<void> {}
}
