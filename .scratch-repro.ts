import { call, startRunningMend } from '/work/wt/api/test/api/running-mend.ts';

const mend = await startRunningMend();
try {
  const a = await call(mend.base, 'GET', '/api/v1/services', {
    token: mend.tokens.admin,
    body: '',
    headers: { 'content-type': 'text/plain' },
  }).catch((e) => String(e));
  console.log(a);
  const b = await call(mend.base, 'GET', '/api/v1/services', {
    token: mend.tokens.admin,
    body: 'x',
    headers: { 'content-type': 'text/plain' },
  }).catch((e) => String(e));
  console.log(typeof b === 'string' ? b : [b.status, b.body]);
  console.log(
    mend.mend.stderr.slice(-2000),
    mend.mend.stdout
      .split('\n')
      .filter((l) => /error|fatal/i.test(l))
      .slice(-5),
  );
} finally {
  await mend.stop();
}
