import packageJson from '../../package.json' with { type: 'json' }

export const toolVersion: string = packageJson.version
