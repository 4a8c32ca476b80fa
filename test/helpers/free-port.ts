import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

/** A port free for both TCP and UDP on `address` at the time of asking. */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, address, () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4')
      socket.once('error', () => resolve(false))
      socket.bind(port, address, () => socket.close(() => resolve(true)))
    })
    if (udpFree) return port
  }
}
