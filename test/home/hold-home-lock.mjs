// A second, real process that takes a Wharf home's writer lock, says "held <pid>" on stdout and keeps the lock
// until its stdin ends (or it is killed). Used by home-lock.test.ts.
const { homePaths } = await import('../../client/dist/home.js');
const { acquireHomeLock } = await import('../../client/dist/home/home-lock.js');

const home = homePaths(process.argv[2]);
home.homeLock ??= `${home.root}/home.lock`; // a client from before the lock (to show the tests fail without it)
const lock = await acquireHomeLock(home, { waitMs: 60_000 });
process.stdout.write(`held ${process.pid}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  lock.release();
  process.stdout.write('released\n');
  process.exit(0);
});
