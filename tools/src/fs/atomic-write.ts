// One atomic writer for the whole project (temp + fsync + rename, temp names that `cleanStaleTemps` knows).
export { writeFileAtomic } from '@wharf/client/atomic-write';
