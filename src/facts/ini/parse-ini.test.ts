import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { parseIni, renderIni, sectionEntries } from './parse-ini.ts'

const roots = path.join(import.meta.dirname, '../../../test/fixtures/roots')
const repoFiles = ['centos65-blog', 'centos610-clean'].flatMap((root) => [
  path.join(roots, root, 'etc/yum.conf'),
  ...readdirSync(path.join(roots, root, 'etc/yum.repos.d')).map((f) =>
    path.join(roots, root, 'etc/yum.repos.d', f),
  ),
])

test('renders every input back byte for byte: CRLF, BOM, trailing blanks, no final newline', () => {
  const inputs = [
    '\uFEFF[main]\r\ngpgcheck=1\r\n\r\n[epel]  \r\nbaseurl=http://a/\r\n   http://b/',
    '',
    '\n\n',
    'junk before any section\n[x]\nk = v ; inline\n',
    ...repoFiles.map((file) => readFileSync(file, 'utf8')),
  ]
  for (const text of inputs) assert.equal(renderIni(parseIni(text, '/f')), text)
})

test('continuation lines join into one value and remember their lines', () => {
  const doc = parseIni(
    '[c6-media]\nname=Media\nbaseurl=file:///media/CentOS/\n        file:///media/cdrom/\n\n# comment\n\tfile:///media/cdrecorder/\nenabled=0\n',
    '/etc/yum.repos.d/CentOS-Media.repo',
  )
  const baseurl = sectionEntries(doc, 'c6-media').get('baseurl')
  assert.equal(baseurl?.value, 'file:///media/CentOS/\nfile:///media/cdrom/\nfile:///media/cdrecorder/')
  assert.deepEqual(baseurl?.lines, [3, 4, 7])
  assert.equal(sectionEntries(doc, 'c6-media').get('enabled')?.line, 8)
  assert.deepEqual(doc.warnings, [])
})

test('keys are lower-cased, take = or :, drop " ;" comments but keep # in values', () => {
  const doc = parseIni('[r]\nGPGCheck : 1\nbaseurl=http://x/a#frag ; old mirror\nname=""\n', '/f')
  const entries = sectionEntries(doc, 'r')
  assert.equal(entries.get('gpgcheck')?.value, '1')
  assert.equal(entries.get('gpgcheck')?.prefix, 'GPGCheck : ')
  assert.equal(entries.get('baseurl')?.value, 'http://x/a#frag')
  assert.equal(entries.get('name')?.value, '')
})

test('malformed lines, repeated keys and sections become warnings with file and line', () => {
  const doc = parseIni(
    'orphan=1\n[a]\nk=1\nthis line has no delimiter\nk=2\n[b]\n[a]\nk=3\nbaseurl http://x/\n',
    '/etc/yum.repos.d/x.repo',
  )
  assert.deepEqual(doc.warnings, [
    { file: '/etc/yum.repos.d/x.repo', line: 1, message: "'orphan=1' comes before any [section] header" },
    {
      file: '/etc/yum.repos.d/x.repo',
      line: 4,
      message: "expected 'key=value', '[section]' or a comment, found 'this line has no delimiter'",
    },
    {
      file: '/etc/yum.repos.d/x.repo',
      line: 5,
      message: "'k' is set again (first at line 3); the last value wins",
    },
    {
      file: '/etc/yum.repos.d/x.repo',
      line: 7,
      message: 'section [a] appears again (first at line 2); its keys are merged',
    },
    {
      file: '/etc/yum.repos.d/x.repo',
      line: 8,
      message: "'k' is set again (first at line 3); the last value wins",
    },
    {
      file: '/etc/yum.repos.d/x.repo',
      line: 9,
      message: "key 'baseurl http' contains a space: is the '=' missing?",
    },
  ])
  assert.equal(sectionEntries(doc, 'a').get('k')?.value, '3')
  assert.equal(sectionEntries(doc, 'a').get('baseurl http')?.value, '//x/')
})

test('sections and values equal what Python ConfigParser reads from the fixture repo files', () => {
  const script = [
    'import configparser, json, sys',
    'out = {}',
    'for name in sys.argv[1:]:',
    '    p = configparser.RawConfigParser(strict=False, interpolation=None, inline_comment_prefixes=(";",))',
    '    p.read(name)',
    '    out[name] = {s: dict(p.items(s)) for s in p.sections()}',
    'print(json.dumps(out))',
  ].join('\n')
  const python = JSON.parse(execFileSync('python3', ['-c', script, ...repoFiles], { encoding: 'utf8' }))
  for (const file of repoFiles) {
    const doc = parseIni(readFileSync(file, 'utf8'), file)
    const ours: Record<string, Record<string, string>> = {}
    for (const section of doc.sections) {
      ours[section.name] = Object.fromEntries(
        [...sectionEntries(doc, section.name)].map(([key, entry]) => [key, entry.value]),
      )
    }
    assert.deepEqual(ours, python[file], file)
  }
})
