import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isDebianArchive, namesRelease } from './repositories.ts'

test('namesRelease finds a hard-coded major in paths, queries and key names, not in arches or hosts', () => {
  const named = [
    'https://mirrors.fedoraproject.org/metalink?repo=epel-6&arch=$basearch',
    'http://mirror.centos.org/centos/6/SCL/$basearch/',
    'http://vault.centos.org/6.4/os/$basearch/',
    'http://elrepo.org/linux/elrepo/el6/$basearch/',
    'https://cdn.redhat.com/content/dist/rhel/server/6/6Server/x86_64/os',
    'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-6',
    'Extra Packages for Enterprise Linux 6 - $basearch',
  ]
  const notNamed = [
    'http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os',
    'http://10.6.0.1/repo/x86_64/',
    'http://mirror6.example.com/centos/$releasever/',
    'https://rpm.nodesource.com/pub_6.x/el/$releasever/',
    'http://repo.example.com/i686/',
  ]
  for (const text of named) assert.equal(namesRelease(text, 6), true, text)
  for (const text of notNamed) assert.equal(namesRelease(text, 6), false, text)
})

test('the Debian archive hosts', () => {
  assert.equal(isDebianArchive('http://deb.debian.org/debian'), true)
  assert.equal(isDebianArchive('https://security.debian.org/debian-security'), true)
  assert.equal(isDebianArchive('http://ftp.de.debian.org/debian/'), true)
  assert.equal(isDebianArchive('http://archive.debian.org/debian/'), false)
  assert.equal(isDebianArchive('https://download.docker.com/linux/debian'), false)
})
